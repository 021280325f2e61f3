from __future__ import annotations

from connectrpc.code import Code
from connectrpc.errors import ConnectError, ErrorDetail
from protobuf.wkt import Any

from ameide.common.v1 import error_details_pb2 as details
from ameide_sdk import AmeideError, ErrorCode, FieldViolation, VersionConflict, from_connect_error


def detail(message) -> ErrorDetail:
    # connectrpc carries details as protobuf-py Any; the SDK's messages are Google protobuf.
    name = message.DESCRIPTOR.full_name
    return ErrorDetail(Any(type_url=f"type.googleapis.com/{name}", value=message.SerializeToString()))


def test_codes_are_the_connect_codes_by_name() -> None:
    assert [c.value for c in ErrorCode] == [c.value for c in Code]
    assert len(ErrorCode) == 16
    for code in Code:
        assert from_connect_error(ConnectError(code, "x")).code is ErrorCode(code.value)


def test_typed_details_are_decoded() -> None:
    err = ConnectError(
        Code.ABORTED,
        "artifact a-1: expected version 2, actual version 3",
        [
            detail(details.ErrorInfo(reason="VERSION_CONFLICT", domain="ameide.transformation", metadata={"k": "v"})),
            detail(details.BadRequest(field_violations=[details.FieldViolation(field="expected_version", description="stale")])),
            detail(details.VersionConflict(subject="artifact", subject_id="a-1", expected_version=2, actual_version=3)),
        ],
    )
    ae = from_connect_error(err)
    assert isinstance(ae, AmeideError)
    assert ae.code is ErrorCode.ABORTED
    assert ae.message == "artifact a-1: expected version 2, actual version 3"
    assert (ae.reason, ae.domain, dict(ae.metadata)) == ("VERSION_CONFLICT", "ameide.transformation", {"k": "v"})
    assert ae.field_violations == (FieldViolation("expected_version", "stale"),)
    assert ae.conflict == VersionConflict("artifact", "a-1", 2, 3)
    assert str(ae) == "aborted: artifact a-1: expected version 2, actual version 3"


def test_defaults_without_details_and_unknown_detail_types() -> None:
    unknown = ErrorDetail(Any(type_url="type.googleapis.com/acme.v1.Other", value=b"\x0a\x01x"))
    ae = from_connect_error(ConnectError(Code.NOT_FOUND, "order o-1 not found", [unknown]))
    assert (ae.code, ae.reason, ae.domain) == (ErrorCode.NOT_FOUND, "NOT_FOUND", "ameide")
    assert ae.field_violations == () and ae.conflict is None


def test_non_connect_errors_are_unknown_and_ameide_errors_pass() -> None:
    assert from_connect_error(RuntimeError("boom")).code is ErrorCode.UNKNOWN
    original = AmeideError(ErrorCode.INTERNAL, "x")
    assert from_connect_error(original) is original
