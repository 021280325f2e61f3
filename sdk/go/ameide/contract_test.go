package ameide_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel/trace"

	"ameide.io/sdk/ameide"
	eventsv1 "ameide.io/sdk/gen/ameide/events/v1"
	platformv1 "ameide.io/sdk/gen/ameide/platform/v1"
	salesv1 "ameide.io/sdk/gen/ameide/sales/v1"
	transformationv1 "ameide.io/sdk/gen/ameide/transformation/v1"
)

// Contract tests: the Go SDK against the real platform host, over the
// Connect protocol, gRPC (h2c) and gRPC-Web. Skipped with -short.

var protocols = []ameide.Protocol{ameide.ProtocolConnect, ameide.ProtocolGRPC, ameide.ProtocolGRPCWeb}

func forEachProtocol(t *testing.T, run func(t *testing.T, h *contractHost, client *ameide.Client, p ameide.Protocol)) {
	h := needHost(t)
	for _, p := range protocols {
		t.Run(string(p), func(t *testing.T) {
			client, err := ameide.NewClient(h.url, ameide.StaticToken(h.token), ameide.WithProtocol(p))
			if err != nil {
				t.Fatal(err)
			}
			run(t, h, client, p)
		})
	}
}

func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func createCustomer(t *testing.T, ctx context.Context, client *ameide.Client, name string) *salesv1.Customer {
	t.Helper()
	res, err := client.Customers.CreateCustomer(ctx, connect.NewRequest(&salesv1.CreateCustomerRequest{
		Name:        name,
		Email:       fmt.Sprintf("buyer-%d@example.com", time.Now().UnixNano()),
		CreditLimit: &salesv1.Money{Currency: "EUR", AmountMinor: 1_000_000},
	}))
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	return res.Msg.GetCustomer()
}

func TestContractReadWhoAmI(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, h *contractHost, client *ameide.Client, p ameide.Protocol) {
		// The caller's OpenTelemetry span is the parent of the server's.
		traceID := trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
		ctx := trace.ContextWithSpanContext(timeout(t), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: traceID, SpanID: trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}, TraceFlags: trace.FlagsSampled,
		}))
		res, err := client.Platform.WhoAmI(ctx, connect.NewRequest(&platformv1.WhoAmIRequest{}))
		if err != nil {
			t.Fatalf("WhoAmI: %v", err)
		}
		c := res.Msg.GetContext()
		if c.GetTenantId() != h.tenant || c.GetUserId() != "alice" || len(c.GetGroups()) != 1 || c.GetGroups()[0] != "sales" {
			t.Errorf("context from the token: %v", c)
		}
		if c.GetTraceId() != traceID.String() {
			t.Errorf("trace id %q, want the caller's %q", c.GetTraceId(), traceID)
		}
	})
}

func TestContractWriteOrder(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, h *contractHost, client *ameide.Client, p ameide.Protocol) {
		ctx := timeout(t)
		customer := createCustomer(t, ctx, client, "Go buyer "+t.Name())
		created, err := client.Orders.CreateOrder(ctx, connect.NewRequest(&salesv1.CreateOrderRequest{
			CustomerId: customer.GetCustomerId(), Currency: "EUR",
		}))
		if err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
		order := created.Msg.GetOrder()
		if order.GetStatus() != salesv1.OrderStatus_ORDER_STATUS_DRAFT || order.GetCustomerId() != customer.GetCustomerId() || order.GetVersion() < 1 {
			t.Fatalf("created order: %v", order)
		}
		added, err := client.Orders.AddOrderLine(ctx, connect.NewRequest(&salesv1.AddOrderLineRequest{
			OrderId: order.GetOrderId(), Sku: "SKU-1", Quantity: 2, UnitPrice: &salesv1.Money{Currency: "EUR", AmountMinor: 1250},
		}))
		if err != nil {
			t.Fatalf("AddOrderLine: %v", err)
		}
		if got := added.Msg.GetOrder().GetTotal().GetAmountMinor(); got != 2500 {
			t.Errorf("total after one line of 2 x 12.50: %d", got)
		}
		read, err := client.Orders.GetOrder(ctx, connect.NewRequest(&salesv1.GetOrderRequest{OrderId: order.GetOrderId()}))
		if err != nil {
			t.Fatalf("GetOrder: %v", err)
		}
		if read.Msg.GetOrder().GetVersion() != added.Msg.GetOrder().GetVersion() || len(read.Msg.GetOrder().GetLines()) != 1 {
			t.Errorf("read back: %v", read.Msg.GetOrder())
		}
	})
}

func TestContractServerStreamTailEvents(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, h *contractHost, client *ameide.Client, p ameide.Protocol) {
		ctx, cancel := context.WithCancel(timeout(t))
		defer cancel()
		stream, err := client.Events.TailEvents(ctx, connect.NewRequest(&eventsv1.TailEventsRequest{
			Domain: "sales", Type: "sales.order.*", Follow: true,
		}))
		if err != nil {
			t.Fatalf("TailEvents: %v", err)
		}
		defer func() { _ = stream.Close() }()
		// An order created after the stream opened arrives on it.
		customer := createCustomer(t, ctx, client, "Go streamer "+t.Name())
		created, err := client.Orders.CreateOrder(ctx, connect.NewRequest(&salesv1.CreateOrderRequest{
			CustomerId: customer.GetCustomerId(), Currency: "EUR",
		}))
		if err != nil {
			t.Fatalf("CreateOrder: %v", err)
		}
		orderID := created.Msg.GetOrder().GetOrderId()
		for stream.Receive() {
			ev := stream.Msg().GetEvent()
			if ev.GetTenantId() != h.tenant {
				t.Fatalf("event of another tenant: %v", ev)
			}
			if ev.GetAggregateId() == orderID {
				if ev.GetType() != "sales.order.created.v1" || stream.Msg().GetPosition() == "" {
					t.Errorf("event: %v at %q", ev, stream.Msg().GetPosition())
				}
				cancel()
				break
			}
		}
		if ctx.Err() == nil {
			t.Fatalf("stream ended before the order's event: %v", stream.Err())
		}

		// A tail without follow ends cleanly after the events so far.
		finite, err := client.Events.TailEvents(timeout(t), connect.NewRequest(&eventsv1.TailEventsRequest{Domain: "sales", Type: "sales.order.*"}))
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for finite.Receive() {
			seen = seen || finite.Msg().GetEvent().GetAggregateId() == orderID
		}
		if finite.Err() != nil || !seen {
			t.Errorf("finite tail: err %v, saw the order %v", finite.Err(), seen)
		}
	})
}

func TestContractRefusals(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, h *contractHost, client *ameide.Client, p ameide.Protocol) {
		ctx := timeout(t)
		t.Run("invalid_argument names the field", func(t *testing.T) {
			_, err := client.Orders.CreateOrder(ctx, connect.NewRequest(&salesv1.CreateOrderRequest{CustomerId: "nope", Currency: "EUR"}))
			ae, ok := ameide.AsError(err)
			if !ok || ae.Code != ameide.CodeInvalidArgument || ae.Reason != "INVALID_ARGUMENT" {
				t.Fatalf("got %#v", err)
			}
			if len(ae.FieldViolations) == 0 || ae.FieldViolations[0].Field != "customer_id" || ae.FieldViolations[0].Description == "" {
				t.Errorf("field violations: %+v", ae.FieldViolations)
			}
		})
		t.Run("aborted carries the version conflict", func(t *testing.T) {
			created, err := client.Transformation.CreateArtifact(ctx, connect.NewRequest(&transformationv1.CreateArtifactRequest{
				Kind: transformationv1.ArtifactKind_ARTIFACT_KIND_DOCUMENT, Name: "go-" + t.Name(), ContentType: "text/markdown", Content: []byte("# v1"),
			}))
			if err != nil {
				t.Fatalf("CreateArtifact: %v", err)
			}
			artifact := created.Msg.GetArtifact()
			_, err = client.Transformation.ReviseArtifact(ctx, connect.NewRequest(&transformationv1.ReviseArtifactRequest{
				ArtifactId: artifact.GetId(), ExpectedVersion: artifact.GetStreamVersion() + 5, Content: []byte("# v2"),
			}))
			ae, ok := ameide.AsError(err)
			if !ok || ae.Code != ameide.CodeAborted || ae.Reason != "VERSION_CONFLICT" || ae.Conflict == nil {
				t.Fatalf("got %#v", err)
			}
			want := ameide.VersionConflict{Subject: "artifact", SubjectID: artifact.GetId(), ExpectedVersion: artifact.GetStreamVersion() + 5, ActualVersion: artifact.GetStreamVersion()}
			if *ae.Conflict != want {
				t.Errorf("conflict %+v, want %+v", *ae.Conflict, want)
			}
		})
		t.Run("unauthenticated without a token", func(t *testing.T) {
			anonymous, err := ameide.NewClient(h.url, nil, ameide.WithProtocol(p))
			if err != nil {
				t.Fatal(err)
			}
			_, err = anonymous.Platform.WhoAmI(ctx, connect.NewRequest(&platformv1.WhoAmIRequest{}))
			ae, ok := ameide.AsError(err)
			if !ok || ae.Code != ameide.CodeUnauthenticated || ae.Reason != "TOKEN_MISSING" || ae.Domain != "ameide.auth" {
				t.Fatalf("got %#v", err)
			}
			// On a stream the refusal arrives as the stream's error.
			stream, err := anonymous.Events.TailEvents(ctx, connect.NewRequest(&eventsv1.TailEventsRequest{Domain: "sales"}))
			if err != nil {
				t.Fatal(err)
			}
			for stream.Receive() {
				t.Fatal("an anonymous stream got a message")
			}
			if ameide.CodeOf(stream.Err()) != ameide.CodeUnauthenticated {
				t.Fatalf("stream error: %v", stream.Err())
			}
		})
	})
}
