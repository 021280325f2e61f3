package ameide_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"connectrpc.com/connect"

	"ameide.io/sdk/ameide"
	eventsv1 "ameide.io/sdk/gen/ameide/events/v1"
	platformv1 "ameide.io/sdk/gen/ameide/platform/v1"
	salesv1 "ameide.io/sdk/gen/ameide/sales/v1"
)

// The README's example; it needs a running platform, so it is compiled but
// not run (contract_test.go makes the same calls against the host).
func ExampleNewClient() {
	ctx := context.Background()
	refresh := func(context.Context) (string, error) { return "<a token from your identity provider>", nil }
	client, err := ameide.NewClient("http://127.0.0.1:8080", ameide.TokenFunc(refresh),
		ameide.WithProtocol(ameide.ProtocolGRPC))
	if err != nil {
		panic(err)
	}
	who, err := client.Platform.WhoAmI(ctx, connect.NewRequest(&platformv1.WhoAmIRequest{}))
	if err == nil {
		fmt.Println("tenant", who.Msg.GetContext().GetTenantId())
	}

	_, err = client.Orders.CreateOrder(ctx, connect.NewRequest(&salesv1.CreateOrderRequest{CustomerId: "nope", Currency: "EUR"}))
	if ae, ok := ameide.AsError(err); ok && ae.Code == ameide.CodeInvalidArgument {
		for _, v := range ae.FieldViolations {
			fmt.Println(v.Field, v.Description) // customer_id must be a UUID, ...
		}
	}

	stream, err := client.Events.TailEvents(ctx, connect.NewRequest(&eventsv1.TailEventsRequest{Domain: "sales"}))
	if err != nil {
		panic(err)
	}
	for stream.Receive() {
		fmt.Println(stream.Msg().GetPosition(), stream.Msg().GetEvent().GetType())
	}
	if err := stream.Err(); err != nil && !errors.Is(err, io.EOF) {
		fmt.Println("tail ended:", ameide.CodeOf(err))
	}
}
