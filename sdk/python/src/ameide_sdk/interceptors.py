"""The SDK's interceptors, outermost first: errors, retry, auth, traceparent
(the order of the TypeScript SDK, whose error mapping wraps the client). Each
serves the synchronous client (``*_sync`` methods) and the asynchronous one."""

from __future__ import annotations

import asyncio
import inspect
import random
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel
from connectrpc.request import RequestContext
from opentelemetry import trace

from .errors import from_connect_error

__all__ = [
    "AuthInterceptor",
    "ErrorInterceptor",
    "RetryInterceptor",
    "RetryOptions",
    "TokenSource",
    "TraceparentInterceptor",
    "traceparent",
]

REQ = TypeVar("REQ")
RES = TypeVar("RES")

TokenSource = str | Callable[[], str] | Callable[[], Awaitable[str]] | None
"""A fixed bearer token, a function called per call (for refreshing tokens;
the asynchronous client also awaits a coroutine function), or None for no
Authorization header."""


class ErrorInterceptor:
    """Raises every failure as an AmeideError (the ConnectError is its cause)."""

    def intercept_unary_sync(
        self, call_next: Callable[[REQ, RequestContext], RES], request: REQ, ctx: RequestContext
    ) -> RES:
        try:
            return call_next(request, ctx)
        except ConnectError as err:
            raise from_connect_error(err) from err

    def intercept_server_stream_sync(
        self,
        call_next: Callable[[REQ, RequestContext], Iterator[RES]],
        request: REQ,
        ctx: RequestContext,
    ) -> Iterator[RES]:
        try:
            yield from call_next(request, ctx)
        except ConnectError as err:
            raise from_connect_error(err) from err

    async def intercept_unary(
        self, call_next: Callable[[REQ, RequestContext], Awaitable[RES]], request: REQ, ctx: RequestContext
    ) -> RES:
        try:
            return await call_next(request, ctx)
        except ConnectError as err:
            raise from_connect_error(err) from err

    async def intercept_server_stream(
        self,
        call_next: Callable[[REQ, RequestContext], AsyncIterator[RES]],
        request: REQ,
        ctx: RequestContext,
    ) -> AsyncIterator[RES]:
        responses = call_next(request, ctx)
        try:
            async for response in responses:
                yield response
        except ConnectError as err:
            raise from_connect_error(err) from err
        finally:
            # A caller that stops early closes this generator; close the call too.
            aclose = getattr(responses, "aclose", None)
            if aclose is not None:
                await aclose()


@dataclass(frozen=True)
class RetryOptions:
    """Retries of reads (methods the proto marks ``idempotency_level =
    NO_SIDE_EFFECTS``) that failed with unavailable or resource_exhausted.
    Commands are never retried: a lost response to a command cannot be told
    from a failure."""

    max_attempts: int = 3
    """Attempts in all, including the first (1 disables retries)."""
    initial_backoff_s: float = 0.1
    """Before the second attempt; doubled per attempt, full jitter."""
    max_backoff_s: float = 2.0


_RETRYABLE = {Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED}


class RetryInterceptor:
    """Retries unary reads; streams are not retried (part may be consumed)."""

    def __init__(
        self,
        options: RetryOptions | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self._options = options or RetryOptions()
        self._sleep = sleep
        self._async_sleep = async_sleep

    def _backoff(self, err: ConnectError, attempt: int, ctx: RequestContext) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        remaining = ctx.timeout_ms
        if (
            attempt >= self._options.max_attempts
            or err.code not in _RETRYABLE
            or (remaining is not None and remaining <= 0)
        ):
            return None
        cap = min(self._options.max_backoff_s, self._options.initial_backoff_s * 2 ** (attempt - 1))
        return random.uniform(0, cap)

    def intercept_unary_sync(
        self, call_next: Callable[[REQ, RequestContext], RES], request: REQ, ctx: RequestContext
    ) -> RES:
        if ctx.method.idempotency_level is not IdempotencyLevel.NO_SIDE_EFFECTS:
            return call_next(request, ctx)
        attempt = 1
        while True:
            try:
                return call_next(request, ctx)
            except ConnectError as err:
                wait = self._backoff(err, attempt, ctx)
                if wait is None:
                    raise
                self._sleep(wait)
                attempt += 1

    async def intercept_unary(
        self, call_next: Callable[[REQ, RequestContext], Awaitable[RES]], request: REQ, ctx: RequestContext
    ) -> RES:
        if ctx.method.idempotency_level is not IdempotencyLevel.NO_SIDE_EFFECTS:
            return await call_next(request, ctx)
        attempt = 1
        while True:
            try:
                return await call_next(request, ctx)
            except ConnectError as err:
                wait = self._backoff(err, attempt, ctx)
                if wait is None:
                    raise
                await self._async_sleep(wait)
                attempt += 1


class AuthInterceptor:
    """Sets ``Authorization: Bearer <token>`` on every call."""

    def __init__(self, source: TokenSource):
        self._source = source

    def on_start_sync(self, ctx: RequestContext) -> None:
        token = self._source() if callable(self._source) else self._source
        if inspect.isawaitable(token):
            if inspect.iscoroutine(token):
                token.close()  # never awaited: say so without a "never awaited" warning
            raise TypeError("the synchronous client needs a token function that returns a str")
        self._set(ctx, token)

    async def on_start(self, ctx: RequestContext) -> None:
        token = self._source() if callable(self._source) else self._source
        if inspect.isawaitable(token):
            token = await token
        self._set(ctx, token)

    @staticmethod
    def _set(ctx: RequestContext, token: object) -> None:
        if token:
            ctx.request_headers["authorization"] = f"Bearer {token}"

    def on_end_sync(self, token: Any, ctx: RequestContext, error: Exception | None) -> None:
        return None

    async def on_end(self, token: Any, ctx: RequestContext, error: Exception | None) -> None:
        return None


def _random_hex(n: int) -> str:
    while True:
        value = secrets.token_hex(n)
        if value.strip("0"):
            return value  # all-zero ids are invalid


def traceparent() -> str:
    """The W3C traceparent the SDK sends: the current OpenTelemetry span's
    (so a handler's outgoing calls continue its trace), or a new sampled
    trace otherwise."""
    sc = trace.get_current_span().get_span_context()
    if sc.is_valid:
        return f"00-{sc.trace_id:032x}-{sc.span_id:016x}-{int(sc.trace_flags):02x}"
    return f"00-{_random_hex(16)}-{_random_hex(8)}-01"


class TraceparentInterceptor:
    """Sends W3C ``traceparent`` unless the caller set one."""

    def on_start_sync(self, ctx: RequestContext) -> None:
        if "traceparent" not in ctx.request_headers:
            ctx.request_headers["traceparent"] = traceparent()

    async def on_start(self, ctx: RequestContext) -> None:
        self.on_start_sync(ctx)

    def on_end_sync(self, token: Any, ctx: RequestContext, error: Exception | None) -> None:
        return None

    async def on_end(self, token: Any, ctx: RequestContext, error: Exception | None) -> None:
        return None
