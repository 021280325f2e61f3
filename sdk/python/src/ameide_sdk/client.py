"""AmeideClient: typed Connect clients for every Ameide service."""

from __future__ import annotations

from types import TracebackType
from typing import Literal

from connectrpc.protocol import ProtocolType
from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport

from ameide.events.v1.event_service_connect import EventServiceClientSync
from ameide.platform.v1.platform_service_connect import PlatformServiceClientSync
from ameide.process.v1.process_service_connect import ProcessServiceClientSync
from ameide.sales.v1.customer_service_connect import CustomerServiceClientSync
from ameide.sales.v1.order_service_connect import OrderServiceClientSync
from ameide.transformation.v1.transformation_service_connect import (
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

__all__ = ["AmeideClient", "Protocol"]

Protocol = Literal["connect", "grpc", "grpc-web"]

_PROTOCOLS = {
    "connect": ProtocolType.CONNECT,
    "grpc": ProtocolType.GRPC,
    "grpc-web": ProtocolType.GRPC_WEB,
}


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
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base URL {base_url!r}: want http(s)://host[:port]")
        if protocol not in _PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r} (want connect, grpc or grpc-web)")
        if http_client is None:
            # gRPC needs HTTP/2, which a plaintext http:// URL only gets when asked (h2c).
            # pyqwest's own OpenTelemetry instrumentation is off: it would
            # replace the traceparent the SDK sends (see TraceparentInterceptor).
            transport = SyncHTTPTransport(
                http_version=HTTPVersion.HTTP2
                if protocol == "grpc" and base_url.startswith("http://")
                else None,
                enable_otel=False,
            )
            http_client = SyncClient(transport)
            self._transport: SyncHTTPTransport | None = transport
        else:
            self._transport = None
        interceptors = [
            ErrorInterceptor(),
            RetryInterceptor(retry),
            *([AuthInterceptor(token)] if token else []),
            TraceparentInterceptor(),
        ]
        options = {
            "protocol": _PROTOCOLS[protocol],
            "interceptors": interceptors,
            "http_client": http_client,
            "timeout_ms": timeout_ms,
        }
        address = base_url.rstrip("/")
        self.platform = PlatformServiceClientSync(address, **options)
        self.transformation = TransformationServiceClientSync(address, **options)
        self.orders = OrderServiceClientSync(address, **options)
        self.customers = CustomerServiceClientSync(address, **options)
        self.process = ProcessServiceClientSync(address, **options)
        self.events = EventServiceClientSync(address, **options)

    def close(self) -> None:
        """Closes the HTTP client the SDK made (not one passed in)."""
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
