package ameide

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	commonv1 "ameide.io/sdk/gen/ameide/common/v1"
)

// Code is one of the closed set of Ameide error codes. They are the Connect
// codes by name (the TypeScript SDK's ErrorCode), so an error keeps its meaning
// on every hop: domain → Connect → SDK.
type Code string

// The closed set of codes.
const (
	CodeCanceled           Code = "canceled"
	CodeUnknown            Code = "unknown"
	CodeInvalidArgument    Code = "invalid_argument"
	CodeDeadlineExceeded   Code = "deadline_exceeded"
	CodeNotFound           Code = "not_found"
	CodeAlreadyExists      Code = "already_exists"
	CodePermissionDenied   Code = "permission_denied"
	CodeResourceExhausted  Code = "resource_exhausted"
	CodeFailedPrecondition Code = "failed_precondition"
	CodeAborted            Code = "aborted"
	CodeOutOfRange         Code = "out_of_range"
	CodeUnimplemented      Code = "unimplemented"
	CodeInternal           Code = "internal"
	CodeUnavailable        Code = "unavailable"
	CodeDataLoss           Code = "data_loss"
	CodeUnauthenticated    Code = "unauthenticated"
)

var fromConnectCode = map[connect.Code]Code{
	connect.CodeCanceled:           CodeCanceled,
	connect.CodeUnknown:            CodeUnknown,
	connect.CodeInvalidArgument:    CodeInvalidArgument,
	connect.CodeDeadlineExceeded:   CodeDeadlineExceeded,
	connect.CodeNotFound:           CodeNotFound,
	connect.CodeAlreadyExists:      CodeAlreadyExists,
	connect.CodePermissionDenied:   CodePermissionDenied,
	connect.CodeResourceExhausted:  CodeResourceExhausted,
	connect.CodeFailedPrecondition: CodeFailedPrecondition,
	connect.CodeAborted:            CodeAborted,
	connect.CodeOutOfRange:         CodeOutOfRange,
	connect.CodeUnimplemented:      CodeUnimplemented,
	connect.CodeInternal:           CodeInternal,
	connect.CodeUnavailable:        CodeUnavailable,
	connect.CodeDataLoss:           CodeDataLoss,
	connect.CodeUnauthenticated:    CodeUnauthenticated,
}

// Codes returns the closed set of codes, in Connect's numeric order.
func Codes() []Code {
	out := make([]Code, 0, len(fromConnectCode))
	for c := connect.CodeCanceled; c <= connect.CodeUnauthenticated; c++ {
		out = append(out, fromConnectCode[c])
	}
	return out
}

// FieldViolation names one invalid field of a request.
type FieldViolation struct {
	Field       string
	Description string
}

// VersionConflict is the expected and actual version of an optimistic
// concurrency check (attached to CodeAborted).
type VersionConflict struct {
	Subject         string
	SubjectID       string
	ExpectedVersion int64
	ActualVersion   int64
}

// Error is the one error type of the SDK: every failed call returns an *Error
// (find it with errors.As or AsError), decoded from the typed details the
// platform attaches (ErrorInfo, BadRequest, VersionConflict).
type Error struct {
	Code Code
	// Message is the server's message, without the code.
	Message string
	// Reason is a stable UPPER_SNAKE_CASE reason, e.g. TOKEN_MISSING; the
	// upper-cased code when the server sent no ErrorInfo.
	Reason string
	// Domain is the primitive or service that raised the error ("ameide" when
	// the server named none).
	Domain          string
	FieldViolations []FieldViolation
	Conflict        *VersionConflict
	Metadata        map[string]string
	cause           error
}

func (e *Error) Error() string {
	return fmt.Sprintf("ameide: %s: %s", e.Code, e.Message)
}

// Unwrap returns the transport error (a *connect.Error, or the context error).
func (e *Error) Unwrap() error { return e.cause }

// AsError finds the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var ae *Error
	ok := errors.As(err, &ae)
	return ae, ok
}

// CodeOf returns err's code: CodeUnknown for an error that is not an *Error
// or a *connect.Error, "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return FromError(err).Code
}

// FromError turns anything a Connect client returned into an *Error: an
// *Error passes through; a *connect.Error keeps its code and its typed
// details are decoded; context cancellation and deadlines get their codes;
// anything else is CodeUnknown (wrapped, so errors.Is still sees it).
func FromError(err error) *Error {
	if err == nil {
		return nil
	}
	if ae, ok := AsError(err); ok {
		return ae
	}
	var ce *connect.Error
	if !errors.As(err, &ce) {
		code := CodeUnknown
		switch {
		case errors.Is(err, context.Canceled):
			code = CodeCanceled
		case errors.Is(err, context.DeadlineExceeded):
			code = CodeDeadlineExceeded
		}
		return &Error{Code: code, Message: err.Error(), Reason: upper(code), Domain: "ameide", Metadata: map[string]string{}, cause: err}
	}
	code, ok := fromConnectCode[ce.Code()]
	if !ok {
		code = CodeUnknown
	}
	out := &Error{Code: code, Message: ce.Message(), Reason: upper(code), Domain: "ameide", Metadata: map[string]string{}, cause: err}
	var seenInfo, seenBadRequest bool
	for _, detail := range ce.Details() {
		value, derr := detail.Value()
		if derr != nil {
			continue // a detail type this SDK does not know
		}
		switch d := value.(type) {
		case *commonv1.ErrorInfo:
			if seenInfo {
				continue
			}
			seenInfo = true
			out.Reason, out.Domain = d.GetReason(), d.GetDomain()
			for k, v := range d.GetMetadata() {
				out.Metadata[k] = v
			}
		case *commonv1.BadRequest:
			if seenBadRequest {
				continue
			}
			seenBadRequest = true
			for _, v := range d.GetFieldViolations() {
				out.FieldViolations = append(out.FieldViolations, FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		case *commonv1.VersionConflict:
			if out.Conflict != nil {
				continue
			}
			out.Conflict = &VersionConflict{
				Subject:         d.GetSubject(),
				SubjectID:       d.GetSubjectId(),
				ExpectedVersion: d.GetExpectedVersion(),
				ActualVersion:   d.GetActualVersion(),
			}
		}
	}
	return out
}

func upper(c Code) string { return strings.ToUpper(string(c)) }
