"""The Python SDK of the Ameide platform (Connect, Google ``protobuf``
messages generated into the ``ameide`` package by ``npm run proto:gen``)."""

from .client import AmeideClient, AsyncAmeideClient, Protocol
from .errors import (
    AmeideError,
    ErrorCode,
    FieldViolation,
    VersionConflict,
    from_connect_error,
    is_ameide_error,
)
from .interceptors import RetryOptions, TokenSource, traceparent

__all__ = [
    "AmeideClient",
    "AmeideError",
    "AsyncAmeideClient",
    "ErrorCode",
    "FieldViolation",
    "Protocol",
    "RetryOptions",
    "TokenSource",
    "VersionConflict",
    "from_connect_error",
    "is_ameide_error",
    "traceparent",
]
