"""Contract tests: the Python SDK against the real platform host (see
conftest.py), over the Connect protocol and, as the client offers them,
gRPC and gRPC-Web. Marker ``host``; ``-m 'not host'`` leaves them out."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from opentelemetry import trace

from ameide.events.v1.event_service_pb2 import TailEventsRequest
from ameide.platform.v1.platform_service_pb2 import WhoAmIRequest
from ameide.sales.v1 import customer_service_pb2 as customers
from ameide.sales.v1 import order_service_pb2 as orders
from ameide.sales.v1.money_pb2 import Money
from ameide.transformation.v1 import artifact_pb2
from ameide.transformation.v1 import transformation_service_pb2 as transformation
from ameide_sdk import AmeideClient, AmeideError, ErrorCode, FieldViolation, VersionConflict

pytestmark = pytest.mark.host


@pytest.fixture(params=["connect", "grpc", "grpc-web"])
def client(request, host):
    with AmeideClient(host.url, token=host.token, protocol=request.param, timeout_ms=30_000) as c:
        yield c


def create_customer(client: AmeideClient, name: str) -> customers.Customer:
    res = client.customers.create_customer(
        customers.CreateCustomerRequest(
            name=name,
            email=f"buyer-{uuid.uuid4().hex[:12]}@example.com",
            credit_limit=Money(currency="EUR", amount_minor=1_000_000),
        )
    )
    return res.customer


def test_read_who_am_i_continues_the_callers_trace(client, host) -> None:
    sc = trace.SpanContext(
        trace_id=0x0AF7651916CD43DD8448EB211C80319C,
        span_id=0xB7AD6B7169203331,
        is_remote=False,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    with trace.use_span(trace.NonRecordingSpan(sc)):
        ctx = client.platform.who_am_i(WhoAmIRequest()).context
    assert (ctx.tenant_id, ctx.user_id, list(ctx.groups)) == (host.tenant, "alice", ["sales"])
    assert ctx.trace_id == "0af7651916cd43dd8448eb211c80319c"


def test_write_order_and_read_it_back(client) -> None:
    customer = create_customer(client, "Python buyer")
    order = client.orders.create_order(
        orders.CreateOrderRequest(customer_id=customer.customer_id, currency="EUR")
    ).order
    assert order.status == orders.ORDER_STATUS_DRAFT
    assert order.customer_id == customer.customer_id and order.version >= 1
    added = client.orders.add_order_line(
        orders.AddOrderLineRequest(
            order_id=order.order_id, sku="SKU-1", quantity=2,
            unit_price=Money(currency="EUR", amount_minor=1250),
        )
    ).order
    assert added.total.amount_minor == 2500
    read = client.orders.get_order(orders.GetOrderRequest(order_id=order.order_id)).order
    assert read.version == added.version and len(read.lines) == 1


def test_server_stream_tail_events_follows_new_orders(client, host) -> None:
    customer = create_customer(client, "Python streamer")
    created: dict[str, str] = {}

    def create_order_soon() -> None:
        time.sleep(0.5)  # after the stream is open
        created["id"] = client.orders.create_order(
            orders.CreateOrderRequest(customer_id=customer.customer_id, currency="EUR")
        ).order.order_id
        # The order's event can reach the stream before this reply reaches the
        # thread; a second order's event then arrives after the id is known.
        created["sentinel"] = client.orders.create_order(
            orders.CreateOrderRequest(customer_id=customer.customer_id, currency="EUR")
        ).order.order_id

    writer = threading.Thread(target=create_order_soon)
    writer.start()
    found = None
    seen: dict[str, object] = {}
    stream = client.events.tail_events(
        TailEventsRequest(domain="sales", type="sales.order.*", follow=True), timeout_ms=20_000
    )
    try:
        for res in stream:
            assert res.event.tenant_id == host.tenant
            seen.setdefault(res.event.aggregate_id, res)
            if created.get("id") in seen:
                found = seen[created["id"]]
                break
    finally:
        stream.close()
        writer.join()
    assert found is not None, "the new order's event did not arrive on the stream"
    assert found.event.type == "sales.order.created.v1" and found.position

    # Without follow the stream ends after the events so far.
    ids = [r.event.aggregate_id for r in client.events.tail_events(TailEventsRequest(domain="sales", type="sales.order.*"))]
    assert created["id"] in ids


def test_invalid_argument_names_the_field(client) -> None:
    with pytest.raises(AmeideError) as raised:
        client.orders.create_order(orders.CreateOrderRequest(customer_id="nope", currency="EUR"))
    err = raised.value
    assert (err.code, err.reason) == (ErrorCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert err.field_violations and err.field_violations[0].field == "customer_id"
    assert isinstance(err.field_violations[0], FieldViolation) and err.field_violations[0].description


def test_version_conflict_is_typed(client) -> None:
    artifact = client.transformation.create_artifact(
        transformation.CreateArtifactRequest(
            kind=artifact_pb2.ARTIFACT_KIND_DOCUMENT,
            name=f"py-{uuid.uuid4().hex[:8]}",
            content_type="text/markdown",
            content=b"# v1",
        )
    ).artifact
    with pytest.raises(AmeideError) as raised:
        client.transformation.revise_artifact(
            transformation.ReviseArtifactRequest(
                artifact_id=artifact.id, expected_version=artifact.stream_version + 5, content=b"# v2"
            )
        )
    err = raised.value
    assert (err.code, err.reason) == (ErrorCode.ABORTED, "VERSION_CONFLICT")
    assert err.conflict == VersionConflict("artifact", artifact.id, artifact.stream_version + 5, artifact.stream_version)


@pytest.mark.parametrize("protocol", ["connect", "grpc", "grpc-web"])
def test_unauthenticated_without_a_token(host, protocol) -> None:
    with AmeideClient(host.url, protocol=protocol) as anonymous:
        with pytest.raises(AmeideError) as raised:
            anonymous.platform.who_am_i(WhoAmIRequest())
        err = raised.value
        assert (err.code, err.reason, err.domain) == (ErrorCode.UNAUTHENTICATED, "TOKEN_MISSING", "ameide.auth")
        with pytest.raises(AmeideError) as raised:
            for _ in anonymous.events.tail_events(TailEventsRequest(domain="sales")):
                pytest.fail("an anonymous stream got a message")
        assert raised.value.code is ErrorCode.UNAUTHENTICATED


def test_async_client_read_write_stream_and_refusal(host) -> None:
    import asyncio

    from ameide_sdk import AsyncAmeideClient

    async def token() -> str:
        return host.token

    async def scenario() -> None:
        async with AsyncAmeideClient(host.url, token=token, timeout_ms=30_000) as ameide:
            ctx = (await ameide.platform.who_am_i(WhoAmIRequest())).context
            assert (ctx.tenant_id, ctx.user_id) == (host.tenant, "alice")
            customer = (
                await ameide.customers.create_customer(
                    customers.CreateCustomerRequest(
                        name="Async buyer",
                        email=f"buyer-{uuid.uuid4().hex[:12]}@example.com",
                        credit_limit=Money(currency="EUR", amount_minor=1_000),
                    )
                )
            ).customer
            order = (
                await ameide.orders.create_order(
                    orders.CreateOrderRequest(customer_id=customer.customer_id, currency="EUR")
                )
            ).order
            ids = [
                r.event.aggregate_id
                async for r in ameide.events.tail_events(TailEventsRequest(domain="sales", type="sales.order.*"))
            ]
            assert order.order_id in ids
            with pytest.raises(AmeideError) as raised:
                await ameide.orders.create_order(orders.CreateOrderRequest(customer_id="nope", currency="EUR"))
            assert raised.value.code is ErrorCode.INVALID_ARGUMENT
            assert raised.value.field_violations[0].field == "customer_id"
        async with AsyncAmeideClient(host.url) as anonymous:
            with pytest.raises(AmeideError) as raised:
                await anonymous.platform.who_am_i(WhoAmIRequest())
            assert (raised.value.code, raised.value.reason) == (ErrorCode.UNAUTHENTICATED, "TOKEN_MISSING")

    asyncio.run(scenario())
