"""The interceptors on their own (no server): retry policy, token source,
traceparent. The contract tests run them against the platform host."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel
from connectrpc.request import Headers
from opentelemetry import trace

from ameide_sdk import AmeideError, ErrorCode, RetryOptions, traceparent
from ameide_sdk.interceptors import AuthInterceptor, ErrorInterceptor, RetryInterceptor, TraceparentInterceptor

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")


def ctx(level: IdempotencyLevel = IdempotencyLevel.NO_SIDE_EFFECTS):
    return SimpleNamespace(method=SimpleNamespace(idempotency_level=level), timeout_ms=None, request_headers=Headers())


def failing(times: int, code: Code = Code.UNAVAILABLE):
    calls = []

    def call_next(request, c):
        calls.append(request)
        if len(calls) <= times:
            raise ConnectError(code, "restarting")
        return "ok"

    return call_next, calls


def test_reads_are_retried_when_unavailable() -> None:
    sleeps: list[float] = []
    retry = RetryInterceptor(RetryOptions(initial_backoff_s=0.1, max_backoff_s=0.15), sleep=sleeps.append)
    call_next, calls = failing(2)
    assert retry.intercept_unary_sync(call_next, "req", ctx()) == "ok"
    assert len(calls) == 3
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.1 and 0 <= sleeps[1] <= 0.15
    call_next, calls = failing(3)
    with pytest.raises(ConnectError):
        retry.intercept_unary_sync(call_next, "req", ctx())
    assert len(calls) == 3  # three attempts in all by default


def test_commands_and_other_codes_are_not_retried() -> None:
    retry = RetryInterceptor(sleep=lambda _s: None)
    call_next, calls = failing(1)
    with pytest.raises(ConnectError):
        retry.intercept_unary_sync(call_next, "req", ctx(IdempotencyLevel.UNKNOWN))
    assert len(calls) == 1
    call_next, calls = failing(1, Code.INVALID_ARGUMENT)
    with pytest.raises(ConnectError):
        retry.intercept_unary_sync(call_next, "req", ctx())
    assert len(calls) == 1


def test_error_interceptor_maps_unary_and_stream_failures() -> None:
    errors = ErrorInterceptor()
    call_next, _ = failing(1, Code.PERMISSION_DENIED)
    with pytest.raises(AmeideError) as raised:
        errors.intercept_unary_sync(call_next, "req", ctx())
    assert raised.value.code is ErrorCode.PERMISSION_DENIED
    assert isinstance(raised.value.__cause__, ConnectError)

    def stream(request, c):
        yield "first"
        raise ConnectError(Code.OUT_OF_RANGE, "pruned")

    received = []
    with pytest.raises(AmeideError) as raised:
        for message in errors.intercept_server_stream_sync(stream, "req", ctx()):
            received.append(message)
    assert received == ["first"] and raised.value.code is ErrorCode.OUT_OF_RANGE


def test_token_source_is_called_per_call() -> None:
    tokens = iter(["t1", "t2"])
    auth = AuthInterceptor(lambda: next(tokens))
    first, second = ctx(), ctx()
    auth.on_start_sync(first)
    auth.on_start_sync(second)
    assert first.request_headers["authorization"] == "Bearer t1"
    assert second.request_headers["authorization"] == "Bearer t2"
    empty = ctx()
    AuthInterceptor("").on_start_sync(empty)
    assert "authorization" not in empty.request_headers


def test_traceparent_is_fresh_without_a_span_and_the_span_s_with_one() -> None:
    a, b = traceparent(), traceparent()
    assert TRACEPARENT.match(a) and TRACEPARENT.match(b) and a[3:35] != b[3:35]
    sc = trace.SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    with trace.use_span(trace.NonRecordingSpan(sc)):
        assert traceparent() == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    kept = ctx()
    kept.request_headers["traceparent"] = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
    TraceparentInterceptor().on_start_sync(kept)
    assert kept.request_headers["traceparent"] == "00-" + "1" * 32 + "-" + "2" * 16 + "-01"


def test_async_interceptors_retry_map_errors_and_await_token_functions() -> None:
    import asyncio

    async def scenario() -> None:
        sleeps: list[float] = []

        async def record(seconds: float) -> None:
            sleeps.append(seconds)

        retry = RetryInterceptor(async_sleep=record)
        calls = []

        async def flaky(request, c):
            calls.append(request)
            if len(calls) <= 2:
                raise ConnectError(Code.UNAVAILABLE, "restarting")
            return "ok"

        assert await retry.intercept_unary(flaky, "req", ctx()) == "ok"
        assert len(calls) == 3 and len(sleeps) == 2
        calls.clear()
        with pytest.raises(ConnectError):
            await retry.intercept_unary(flaky, "req", ctx(IdempotencyLevel.UNKNOWN))
        assert len(calls) == 1

        async def stream(request, c):
            yield "first"
            raise ConnectError(Code.RESOURCE_EXHAUSTED, "slow down")

        received = []
        with pytest.raises(AmeideError) as raised:
            async for message in ErrorInterceptor().intercept_server_stream(stream, "req", ctx()):
                received.append(message)
        assert received == ["first"] and raised.value.code is ErrorCode.RESOURCE_EXHAUSTED

        async def token() -> str:
            return "async-token"

        c = ctx()
        await AuthInterceptor(token).on_start(c)
        assert c.request_headers["authorization"] == "Bearer async-token"
        with pytest.raises(TypeError):
            AuthInterceptor(token).on_start_sync(ctx())

    asyncio.run(scenario())
