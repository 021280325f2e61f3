package ameide_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	"ameide.io/sdk/ameide"
	commonv1 "ameide.io/sdk/gen/ameide/common/v1"
)

func TestCodesAreTheConnectCodesByName(t *testing.T) {
	codes := ameide.Codes()
	if len(codes) != 16 {
		t.Fatalf("want the 16 Connect codes, got %d: %v", len(codes), codes)
	}
	for i, code := range codes {
		connectCode := connect.Code(i + 1)
		if string(code) != connectCode.String() {
			t.Errorf("code %d: %q, Connect calls it %q", i+1, code, connectCode.String())
		}
		got := ameide.FromError(connect.NewError(connectCode, errors.New("x"))).Code
		if got != code {
			t.Errorf("connect code %v maps to %q, want %q", connectCode, got, code)
		}
	}
}

func TestFromErrorDecodesTypedDetails(t *testing.T) {
	ce := connect.NewError(connect.CodeAborted, errors.New("artifact a-1: expected version 2, actual version 3"))
	for _, msg := range []proto.Message{
		&commonv1.ErrorInfo{Reason: "VERSION_CONFLICT", Domain: "ameide.transformation", Metadata: map[string]string{"k": "v"}},
		&commonv1.BadRequest{FieldViolations: []*commonv1.FieldViolation{{Field: "expected_version", Description: "stale"}}},
		&commonv1.VersionConflict{Subject: "artifact", SubjectId: "a-1", ExpectedVersion: 2, ActualVersion: 3},
	} {
		detail, err := connect.NewErrorDetail(msg)
		if err != nil {
			t.Fatal(err)
		}
		ce.AddDetail(detail)
	}
	err := fmt.Errorf("calling: %w", ce)
	ae, ok := ameide.AsError(ameide.FromError(err))
	if !ok {
		t.Fatal("FromError gave no *Error")
	}
	if ae.Code != ameide.CodeAborted || ae.Message != "artifact a-1: expected version 2, actual version 3" {
		t.Errorf("code/message: %q %q", ae.Code, ae.Message)
	}
	if ae.Reason != "VERSION_CONFLICT" || ae.Domain != "ameide.transformation" || ae.Metadata["k"] != "v" {
		t.Errorf("ErrorInfo: %+v", ae)
	}
	if len(ae.FieldViolations) != 1 || ae.FieldViolations[0] != (ameide.FieldViolation{Field: "expected_version", Description: "stale"}) {
		t.Errorf("BadRequest: %+v", ae.FieldViolations)
	}
	want := ameide.VersionConflict{Subject: "artifact", SubjectID: "a-1", ExpectedVersion: 2, ActualVersion: 3}
	if ae.Conflict == nil || *ae.Conflict != want {
		t.Errorf("VersionConflict: %+v", ae.Conflict)
	}
	if !errors.Is(ae, ce) {
		t.Error("the *Error does not unwrap to the connect error")
	}
	if ae.Error() != "ameide: aborted: artifact a-1: expected version 2, actual version 3" {
		t.Errorf("Error(): %q", ae.Error())
	}
}

func TestFromErrorDefaultsWithoutDetails(t *testing.T) {
	ae := ameide.FromError(connect.NewError(connect.CodeNotFound, errors.New("order o-1 not found")))
	if ae.Reason != "NOT_FOUND" || ae.Domain != "ameide" || len(ae.FieldViolations) != 0 || ae.Conflict != nil {
		t.Errorf("defaults: %+v", ae)
	}
}

func TestFromErrorNonConnectErrors(t *testing.T) {
	cases := map[error]ameide.Code{
		context.Canceled:             ameide.CodeCanceled,
		context.DeadlineExceeded:     ameide.CodeDeadlineExceeded,
		errors.New("something else"): ameide.CodeUnknown,
	}
	for err, want := range cases {
		if got := ameide.CodeOf(fmt.Errorf("wrapped: %w", err)); got != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
	if ameide.FromError(nil) != nil || ameide.CodeOf(nil) != "" {
		t.Error("nil must stay nil")
	}
}
