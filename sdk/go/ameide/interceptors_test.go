package ameide_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"

	"ameide.io/sdk/ameide"
	eventsv1 "ameide.io/sdk/gen/ameide/events/v1"
	"ameide.io/sdk/gen/ameide/events/v1/eventsv1connect"
	platformv1 "ameide.io/sdk/gen/ameide/platform/v1"
	"ameide.io/sdk/gen/ameide/platform/v1/platformv1connect"
	salesv1 "ameide.io/sdk/gen/ameide/sales/v1"
	"ameide.io/sdk/gen/ameide/sales/v1/salesv1connect"
)

// These tests run the client against an in-process Connect server (no
// platform) to pin the interceptors' behaviour; contract_test.go runs it
// against the real platform host.

type recorder struct {
	mu      sync.Mutex
	headers []http.Header
}

func (r *recorder) add(h http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, h.Clone())
}

func (r *recorder) all() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

type platform struct {
	platformv1connect.UnimplementedPlatformServiceHandler
	seen        recorder
	unavailable atomic.Int32 // answers unavailable this many more times
}

func (p *platform) WhoAmI(_ context.Context, req *connect.Request[platformv1.WhoAmIRequest]) (*connect.Response[platformv1.WhoAmIResponse], error) {
	p.seen.add(req.Header())
	if p.unavailable.Add(-1) >= 0 {
		return nil, connect.NewError(connect.CodeUnavailable, errors.New("restarting"))
	}
	return connect.NewResponse(&platformv1.WhoAmIResponse{}), nil
}

type orders struct {
	salesv1connect.UnimplementedOrderServiceHandler
	calls atomic.Int32
}

func (o *orders) CreateOrder(context.Context, *connect.Request[salesv1.CreateOrderRequest]) (*connect.Response[salesv1.CreateOrderResponse], error) {
	o.calls.Add(1)
	return nil, connect.NewError(connect.CodeUnavailable, errors.New("restarting"))
}

type events struct {
	eventsv1connect.UnimplementedEventServiceHandler
	seen recorder
}

func (e *events) TailEvents(_ context.Context, req *connect.Request[eventsv1.TailEventsRequest], stream *connect.ServerStream[eventsv1.TailEventsResponse]) error {
	e.seen.add(req.Header())
	if err := stream.Send(&eventsv1.TailEventsResponse{Position: "1:1"}); err != nil {
		return err
	}
	return connect.NewError(connect.CodeOutOfRange, errors.New("pruned"))
}

func startFake(t *testing.T) (*platform, *orders, *events, string) {
	t.Helper()
	p, o, e := &platform{}, &orders{}, &events{}
	mux := http.NewServeMux()
	mux.Handle(platformv1connect.NewPlatformServiceHandler(p))
	mux.Handle(salesv1connect.NewOrderServiceHandler(o))
	mux.Handle(eventsv1connect.NewEventServiceHandler(e))
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return p, o, e, server.URL
}

var traceparentPattern = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$`)

func fastRetry() ameide.Option {
	return ameide.WithRetry(ameide.RetryOptions{InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
}

func TestReadsAreRetriedWhenUnavailable(t *testing.T) {
	p, _, _, url := startFake(t)
	client, err := ameide.NewClient(url, ameide.StaticToken("tok"), fastRetry())
	if err != nil {
		t.Fatal(err)
	}
	p.unavailable.Store(2)
	if _, err := client.Platform.WhoAmI(context.Background(), connect.NewRequest(&platformv1.WhoAmIRequest{})); err != nil {
		t.Fatalf("third attempt should succeed: %v", err)
	}
	if n := len(p.seen.all()); n != 3 {
		t.Fatalf("want 3 attempts, got %d", n)
	}
	// Three attempts in all by default: a fourth failure reaches the caller.
	p.unavailable.Store(3)
	_, err = client.Platform.WhoAmI(context.Background(), connect.NewRequest(&platformv1.WhoAmIRequest{}))
	if ameide.CodeOf(err) != ameide.CodeUnavailable {
		t.Fatalf("want unavailable after 3 attempts, got %v", err)
	}
	if n := len(p.seen.all()); n != 6 {
		t.Fatalf("want 6 attempts in all, got %d", n)
	}
}

func TestCommandsAreNotRetried(t *testing.T) {
	_, o, _, url := startFake(t)
	client, err := ameide.NewClient(url, ameide.StaticToken("tok"), fastRetry())
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Orders.CreateOrder(context.Background(), connect.NewRequest(&salesv1.CreateOrderRequest{}))
	ae, ok := ameide.AsError(err)
	if !ok || ae.Code != ameide.CodeUnavailable || ae.Message != "restarting" {
		t.Fatalf("want *Error unavailable, got %#v", err)
	}
	if n := o.calls.Load(); n != 1 {
		t.Fatalf("a command was sent %d times", n)
	}
}

func TestTokenSourceAndTraceparentOnEveryCall(t *testing.T) {
	p, _, e, url := startFake(t)
	var calls atomic.Int32
	tokens := ameide.TokenFunc(func(context.Context) (string, error) {
		return "tok-" + string(rune('0'+calls.Add(1))), nil
	})
	client, err := ameide.NewClient(url, tokens)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		if _, err := client.Platform.WhoAmI(ctx, connect.NewRequest(&platformv1.WhoAmIRequest{})); err != nil {
			t.Fatal(err)
		}
	}
	seen := p.seen.all()
	if seen[0].Get("Authorization") != "Bearer tok-1" || seen[1].Get("Authorization") != "Bearer tok-2" {
		t.Errorf("authorization headers: %q, %q", seen[0].Get("Authorization"), seen[1].Get("Authorization"))
	}
	a, b := seen[0].Get("Traceparent"), seen[1].Get("Traceparent")
	if !traceparentPattern.MatchString(a) || !traceparentPattern.MatchString(b) || a[3:35] == b[3:35] {
		t.Errorf("want a fresh valid trace per call without a span, got %q and %q", a, b)
	}

	// With a span in the context, its trace and span ids are sent (on streams too).
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	spanCtx := trace.ContextWithSpanContext(ctx, sc)
	if _, err := client.Platform.WhoAmI(spanCtx, connect.NewRequest(&platformv1.WhoAmIRequest{})); err != nil {
		t.Fatal(err)
	}
	want := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if got := p.seen.all()[2].Get("Traceparent"); got != want {
		t.Errorf("traceparent from the span: %q, want %q", got, want)
	}
	stream, err := client.Events.TailEvents(spanCtx, connect.NewRequest(&eventsv1.TailEventsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for stream.Receive() {
	}
	_ = stream.Close()
	h := e.seen.all()[0]
	if h.Get("Traceparent") != want || h.Get("Authorization") != "Bearer tok-4" {
		t.Errorf("stream headers: %v", h)
	}

	// A traceparent the caller set is kept.
	req := connect.NewRequest(&platformv1.WhoAmIRequest{})
	req.Header().Set("traceparent", want)
	if _, err := client.Platform.WhoAmI(ctx, req); err != nil {
		t.Fatal(err)
	}
	if got := p.seen.all()[3].Get("Traceparent"); got != want {
		t.Errorf("caller's traceparent replaced by %q", got)
	}
}

func TestStreamErrorsAreAmeideErrors(t *testing.T) {
	_, _, _, url := startFake(t)
	client, err := ameide.NewClient(url, ameide.StaticToken("tok"))
	if err != nil {
		t.Fatal(err)
	}
	stream, err := client.Events.TailEvents(context.Background(), connect.NewRequest(&eventsv1.TailEventsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for stream.Receive() {
		got = append(got, stream.Msg().GetPosition())
	}
	ae, ok := ameide.AsError(stream.Err())
	if len(got) != 1 || !ok || ae.Code != ameide.CodeOutOfRange || ae.Message != "pruned" {
		t.Fatalf("want one message then out_of_range, got %v then %#v", got, stream.Err())
	}
}

func TestTokenSourceFailureStopsTheCall(t *testing.T) {
	p, _, _, url := startFake(t)
	client, err := ameide.NewClient(url, ameide.TokenFunc(func(context.Context) (string, error) {
		return "", errors.New("refresh failed")
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Platform.WhoAmI(context.Background(), connect.NewRequest(&platformv1.WhoAmIRequest{}))
	if ameide.CodeOf(err) != ameide.CodeUnknown || !regexp.MustCompile(`token source: refresh failed`).MatchString(err.Error()) {
		t.Fatalf("got %v", err)
	}
	if n := len(p.seen.all()); n != 0 {
		t.Fatalf("the call was sent without a token (%d)", n)
	}
}

func TestNewClientRefusesBadInput(t *testing.T) {
	if _, err := ameide.NewClient("127.0.0.1:8080", nil); err == nil {
		t.Error("a base URL without scheme was accepted")
	}
	if _, err := ameide.NewClient("http://127.0.0.1:8080", nil, ameide.WithProtocol("carrier-pigeon")); err == nil {
		t.Error("an unknown protocol was accepted")
	}
}
