"""AmeideClient and AsyncAmeideClient: typed Connect clients for every
Ameide service."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Literal

from connectrpc.protocol import ProtocolType
from pyqwest import Client, HTTPTransport, HTTPVersion, SyncClient, SyncHTTPTransport

from ameide.events.v1.event_service_connect import EventServiceClient, EventServiceClientSync
from ameide.extensions.v1.extension_service_connect import (
    ExtensionServiceClient,
    ExtensionServiceClientSync,
)
from ameide.agents.v1.agent_service_connect import AgentServiceClient, AgentServiceClientSync
from ameide.graph.v1.graph_service_connect import GraphServiceClient, GraphServiceClientSync
from ameide.tenancy.v1.tenant_service_connect import TenantServiceClient, TenantServiceClientSync
from ameide.factory.v1.factory_service_connect import (
    FactoryServiceClient,
    FactoryServiceClientSync,
)
from ameide.platform.v1.platform_service_connect import (
    PlatformServiceClient,
    PlatformServiceClientSync,
)
from ameide.process.v1.process_service_connect import ProcessServiceClient, ProcessServiceClientSync
from ameide.projections.v1.order_to_cash_service_connect import (
    OrderToCashServiceClient,
    OrderToCashServiceClientSync,
)
from ameide.projections.v1.projection_service_connect import (
    ProjectionServiceClient,
    ProjectionServiceClientSync,
)
from ameide.sales.v1.customer_service_connect import CustomerServiceClient, CustomerServiceClientSync
from ameide.sales.v1.order_service_connect import OrderServiceClient, OrderServiceClientSync
from ameide.transformation.v1.transformation_service_connect import (
    TransformationServiceClient,
    TransformationServiceClientSync,
)

from .interceptors import (
    AuthInterceptor,
    ErrorInterceptor,
    RetryInterceptor,
    RetryOptions,
    TokenSource,
    TraceparentInterceptor,
)

__all__ = ["AmeideClient", "AsyncAmeideClient", "Protocol"]

Protocol = Literal["connect", "grpc", "grpc-web"]

_PROTOCOLS = {
    "connect": ProtocolType.CONNECT,
    "grpc": ProtocolType.GRPC,
    "grpc-web": ProtocolType.GRPC_WEB,
}


def _options(base_url: str, token: TokenSource, protocol: str, retry: RetryOptions | None) -> dict[str, Any]:
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"base URL {base_url!r}: want http(s)://host[:port]")
    if protocol not in _PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r} (want connect, grpc or grpc-web)")
    return {
        "protocol": _PROTOCOLS[protocol],
        "interceptors": [
            ErrorInterceptor(),
            RetryInterceptor(retry),
            *([AuthInterceptor(token)] if token else []),
            TraceparentInterceptor(),
        ],
    }


def _transport_options(base_url: str, protocol: str) -> dict[str, Any]:
    # gRPC needs HTTP/2, which a plaintext http:// URL only gets when asked
    # (h2c). pyqwest's own OpenTelemetry instrumentation is off: it would
    # replace the traceparent the SDK sends (see TraceparentInterceptor).
    h2c = protocol == "grpc" and base_url.startswith("http://")
    return {"http_version": HTTPVersion.HTTP2 if h2c else None, "enable_otel": False}


class AmeideClient:
    """The Ameide SDK client (synchronous): one typed client per service, with
    a bearer token from ``token`` on every call, W3C traceparent propagation,
    retries of reads when the platform is unavailable, and every failure
    raised as :class:`ameide_sdk.AmeideError`.

    >>> with AmeideClient("http://127.0.0.1:8080", token=token) as ameide:
    ...     ameide.platform.who_am_i(WhoAmIRequest()).context.tenant_id
    """

    platform: PlatformServiceClientSync
    transformation: TransformationServiceClientSync
    orders: OrderServiceClientSync
    customers: CustomerServiceClientSync
    process: ProcessServiceClientSync
    events: EventServiceClientSync
    extensions: ExtensionServiceClientSync
    projections: ProjectionServiceClientSync
    order_to_cash: OrderToCashServiceClientSync
    graph: GraphServiceClientSync
    tenants: TenantServiceClientSync
    factory: FactoryServiceClientSync
    agents: AgentServiceClientSync

    def __init__(
        self,
        base_url: str,
        token: TokenSource = None,
        *,
        protocol: Protocol = "connect",
        retry: RetryOptions | None = None,
        timeout_ms: int | None = None,
        http_client: SyncClient | None = None,
    ) -> None:
        options = _options(base_url, token, protocol, retry)
        self._transport: SyncHTTPTransport | None = None
        if http_client is None:
            self._transport = SyncHTTPTransport(**_transport_options(base_url, protocol))
            http_client = SyncClient(self._transport)
        options.update(http_client=http_client, timeout_ms=timeout_ms)
        address = base_url.rstrip("/")
        self.platform = PlatformServiceClientSync(address, **options)
        self.transformation = TransformationServiceClientSync(address, **options)
        self.orders = OrderServiceClientSync(address, **options)
        self.customers = CustomerServiceClientSync(address, **options)
        self.process = ProcessServiceClientSync(address, **options)
        self.events = EventServiceClientSync(address, **options)
        self.extensions = ExtensionServiceClientSync(address, **options)
        self.projections = ProjectionServiceClientSync(address, **options)
        self.order_to_cash = OrderToCashServiceClientSync(address, **options)
        self.graph = GraphServiceClientSync(address, **options)
        self.tenants = TenantServiceClientSync(address, **options)
        self.factory = FactoryServiceClientSync(address, **options)
        self.agents = AgentServiceClientSync(address, **options)

    def close(self) -> None:
        """Closes the HTTP transport the SDK made (not a client passed in)."""
        if self._transport is not None:
            self._transport.close()

    def __enter__(self) -> AmeideClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAmeideClient:
    """The asynchronous Ameide SDK client: the same services and behaviour as
    :class:`AmeideClient`, on asyncio; ``token`` may also be a coroutine
    function.

    >>> async with AsyncAmeideClient("http://127.0.0.1:8080", token=token) as ameide:
    ...     (await ameide.platform.who_am_i(WhoAmIRequest())).context.tenant_id
    """

    platform: PlatformServiceClient
    transformation: TransformationServiceClient
    orders: OrderServiceClient
    customers: CustomerServiceClient
    process: ProcessServiceClient
    events: EventServiceClient
    extensions: ExtensionServiceClient
    projections: ProjectionServiceClient
    order_to_cash: OrderToCashServiceClient
    graph: GraphServiceClient
    tenants: TenantServiceClient
    factory: FactoryServiceClient
    agents: AgentServiceClient

    def __init__(
        self,
        base_url: str,
        token: TokenSource = None,
        *,
        protocol: Protocol = "connect",
        retry: RetryOptions | None = None,
        timeout_ms: int | None = None,
        http_client: Client | None = None,
    ) -> None:
        options = _options(base_url, token, protocol, retry)
        self._transport: HTTPTransport | None = None
        if http_client is None:
            self._transport = HTTPTransport(**_transport_options(base_url, protocol))
            http_client = Client(self._transport)
        options.update(http_client=http_client, timeout_ms=timeout_ms)
        address = base_url.rstrip("/")
        self.platform = PlatformServiceClient(address, **options)
        self.transformation = TransformationServiceClient(address, **options)
        self.orders = OrderServiceClient(address, **options)
        self.customers = CustomerServiceClient(address, **options)
        self.process = ProcessServiceClient(address, **options)
        self.events = EventServiceClient(address, **options)
        self.extensions = ExtensionServiceClient(address, **options)
        self.projections = ProjectionServiceClient(address, **options)
        self.order_to_cash = OrderToCashServiceClient(address, **options)
        self.graph = GraphServiceClient(address, **options)
        self.tenants = TenantServiceClient(address, **options)
        self.factory = FactoryServiceClient(address, **options)
        self.agents = AgentServiceClient(address, **options)

    async def aclose(self) -> None:
        """Closes the HTTP transport the SDK made (not a client passed in)."""
        if self._transport is not None:
            await self._transport.aclose()

    async def __aenter__(self) -> AsyncAmeideClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
