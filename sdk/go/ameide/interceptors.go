package ameide

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"
)

// The SDK's interceptors, outermost first: errors → retry → auth → traceparent,
// as in the TypeScript SDK (where the error mapping wraps the client).

// errorInterceptor turns every failure into an *Error.
type errorInterceptor struct{}

func (errorInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, FromError(err)
		}
		return res, nil
	}
}

func (errorInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		return &errorConn{StreamingClientConn: next(ctx, spec)}
	}
}

func (errorInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// errorConn maps the errors of a stream; io.EOF (end of stream, or "the
// error is in Receive" after Send) passes unchanged.
type errorConn struct{ connect.StreamingClientConn }

func mapStreamErr(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	return FromError(err)
}

func (c *errorConn) Send(msg any) error    { return mapStreamErr(c.StreamingClientConn.Send(msg)) }
func (c *errorConn) Receive(msg any) error { return mapStreamErr(c.StreamingClientConn.Receive(msg)) }
func (c *errorConn) CloseRequest() error   { return mapStreamErr(c.StreamingClientConn.CloseRequest()) }
func (c *errorConn) CloseResponse() error  { return mapStreamErr(c.StreamingClientConn.CloseResponse()) }

// RetryOptions configures retries of reads (methods the proto marks
// idempotency_level = NO_SIDE_EFFECTS) that failed with unavailable or
// resource_exhausted. Commands are never retried: a lost response to a
// command cannot be told from a failure.
type RetryOptions struct {
	// MaxAttempts in all, including the first (default 3; 1 disables retries).
	MaxAttempts int
	// InitialBackoff before the second attempt, doubled per attempt with full
	// jitter (default 100ms), capped at MaxBackoff (default 2s).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

func (o RetryOptions) withDefaults() RetryOptions {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	return o
}

type retryInterceptor struct{ opts RetryOptions }

func retryable(err error) bool {
	code := connect.CodeOf(err)
	return code == connect.CodeUnavailable || code == connect.CodeResourceExhausted
}

func (r retryInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IdempotencyLevel != connect.IdempotencyNoSideEffects {
			return next(ctx, req)
		}
		for attempt := 1; ; attempt++ {
			res, err := next(ctx, req)
			if err == nil || attempt >= r.opts.MaxAttempts || !retryable(err) || ctx.Err() != nil {
				return res, err
			}
			backoff := min(r.opts.MaxBackoff, r.opts.InitialBackoff<<(attempt-1))
			timer := time.NewTimer(time.Duration(rand.Int64N(int64(backoff) + 1)))
			select {
			case <-ctx.Done():
				timer.Stop()
				return nil, err
			case <-timer.C:
			}
		}
	}
}

// Streams are not retried: part of the stream may already have been consumed.
func (retryInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (retryInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// authInterceptor sets `Authorization: Bearer <token>` on every call.
type authInterceptor struct{ source TokenSource }

func (a authInterceptor) token(ctx context.Context, header http.Header) error {
	token, err := a.source.Token(ctx)
	if err != nil {
		return fmt.Errorf("ameide: token source: %w", err)
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	return nil
}

func (a authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := a.token(ctx, req.Header()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (a authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if err := a.token(ctx, conn.RequestHeader()); err != nil {
			return &failedConn{StreamingClientConn: conn, err: err}
		}
		return conn
	}
}

func (authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// failedConn is a stream whose set-up failed before anything was sent.
type failedConn struct {
	connect.StreamingClientConn
	err error
}

func (c *failedConn) Send(any) error    { return c.err }
func (c *failedConn) Receive(any) error { return c.err }
func (c *failedConn) CloseRequest() error {
	return c.err
}

func (c *failedConn) CloseResponse() error {
	_ = c.StreamingClientConn.CloseResponse()
	return nil
}

// traceparentInterceptor sends W3C `traceparent`: the OpenTelemetry span of
// the call's context when there is one (so a handler's outgoing calls
// continue its trace), a fresh trace otherwise. A header the caller set is
// kept.
type traceparentInterceptor struct{}

// Traceparent is the W3C traceparent the SDK sends for ctx: its
// OpenTelemetry span's, or a new random trace id and span id (sampled).
func Traceparent(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		return fmt.Sprintf("00-%s-%s-%s", sc.TraceID(), sc.SpanID(), sc.TraceFlags())
	}
	return fmt.Sprintf("00-%s-%s-01", randomHex(16), randomHex(8))
}

func randomHex(n int) string {
	buf := make([]byte, n)
	for {
		_, _ = crand.Read(buf) // never fails (crypto/rand panics instead)
		for _, b := range buf {
			if b != 0 {
				return hex.EncodeToString(buf) // all-zero ids are invalid
			}
		}
	}
}

func setTraceparent(ctx context.Context, header http.Header) {
	if header.Get("traceparent") == "" {
		header.Set("traceparent", Traceparent(ctx))
	}
}

func (traceparentInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		setTraceparent(ctx, req.Header())
		return next(ctx, req)
	}
}

func (traceparentInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		setTraceparent(ctx, conn.RequestHeader())
		return conn
	}
}

func (traceparentInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
