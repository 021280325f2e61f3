"""AmeideError: the one error type of the SDK, with the platform's closed set
of codes (the Connect codes by name) and the typed details the host attaches
(ErrorInfo, BadRequest, VersionConflict from ameide.common.v1)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectrpc.code import Code
from connectrpc.errors import ConnectError

from ameide.common.v1 import error_details_pb2

__all__ = [
    "AmeideError",
    "ErrorCode",
    "FieldViolation",
    "VersionConflict",
    "from_connect_error",
    "is_ameide_error",
]


class ErrorCode(str, enum.Enum):
    """The closed set of error codes: the Connect codes, spelled as Connect does."""

    CANCELED = "canceled"
    UNKNOWN = "unknown"
    INVALID_ARGUMENT = "invalid_argument"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"
    PERMISSION_DENIED = "permission_denied"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    FAILED_PRECONDITION = "failed_precondition"
    ABORTED = "aborted"
    OUT_OF_RANGE = "out_of_range"
    UNIMPLEMENTED = "unimplemented"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"
    DATA_LOSS = "data_loss"
    UNAUTHENTICATED = "unauthenticated"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request, e.g. ``customer_id``."""

    field: str
    description: str


@dataclass(frozen=True)
class VersionConflict:
    """The expected and actual version of an optimistic concurrency check."""

    subject: str
    subject_id: str
    expected_version: int
    actual_version: int


@dataclass(eq=False)
class AmeideError(Exception):
    """A failed call. ``code`` is one of :class:`ErrorCode`; ``reason`` a stable
    UPPER_SNAKE_CASE reason (the upper-cased code when the server sent no
    ErrorInfo); ``domain`` the primitive or service that raised it."""

    code: ErrorCode
    message: str
    reason: str = ""
    domain: str = "ameide"
    field_violations: Sequence[FieldViolation] = ()
    conflict: VersionConflict | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.code, ErrorCode):
            self.code = ErrorCode(self.code)
        if not self.reason:
            self.reason = self.code.value.upper()
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


def is_ameide_error(value: object) -> bool:
    """True for an :class:`AmeideError`."""
    return isinstance(value, AmeideError)


def _decode(detail_type: str, data: bytes) -> object | None:
    messages = {
        "ameide.common.v1.ErrorInfo": error_details_pb2.ErrorInfo,
        "ameide.common.v1.BadRequest": error_details_pb2.BadRequest,
        "ameide.common.v1.VersionConflict": error_details_pb2.VersionConflict,
    }
    cls = messages.get(detail_type)
    if cls is None:
        return None
    try:
        return cls.FromString(data)
    except Exception:  # noqa: BLE001 - a detail that does not parse is skipped
        return None


def from_connect_error(err: BaseException) -> AmeideError:
    """Turns what a Connect client raised into an AmeideError, decoding the
    typed details. An AmeideError passes through; anything that is not a
    ConnectError becomes ``unknown`` (kept as ``__cause__`` by callers)."""
    if isinstance(err, AmeideError):
        return err
    if not isinstance(err, ConnectError):
        return AmeideError(ErrorCode.UNKNOWN, str(err) or type(err).__name__)
    code = ErrorCode(err.code.value) if isinstance(err.code, Code) else ErrorCode.UNKNOWN
    reason, domain, metadata = "", "ameide", {}
    violations: list[FieldViolation] = []
    conflict: VersionConflict | None = None
    seen: set[str] = set()
    for detail in err.details:
        if detail.type_name in seen:
            continue  # the first of each kind counts, as in the TypeScript SDK
        value = _decode(detail.type_name, detail.message_bytes)
        if value is None:
            continue
        seen.add(detail.type_name)
        if isinstance(value, error_details_pb2.ErrorInfo):
            reason, domain, metadata = value.reason, value.domain, dict(value.metadata)
        elif isinstance(value, error_details_pb2.BadRequest):
            violations = [FieldViolation(v.field, v.description) for v in value.field_violations]
        elif isinstance(value, error_details_pb2.VersionConflict):
            conflict = VersionConflict(
                value.subject, value.subject_id, value.expected_version, value.actual_version
            )
    return AmeideError(
        code,
        err.message,
        reason=reason,
        domain=domain or "ameide",
        field_violations=tuple(violations),
        conflict=conflict,
        metadata=metadata,
    )
