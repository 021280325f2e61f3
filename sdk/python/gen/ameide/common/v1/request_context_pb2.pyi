from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class RequestContext(_message.Message):
    __slots__ = ("tenant_id", "org_id", "user_id", "groups", "trace_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ORG_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    org_id: str
    user_id: str
    groups: _containers.RepeatedScalarFieldContainer[str]
    trace_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., org_id: _Optional[str] = ..., user_id: _Optional[str] = ..., groups: _Optional[_Iterable[str]] = ..., trace_id: _Optional[str] = ...) -> None: ...
