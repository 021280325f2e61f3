import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ArtifactKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARTIFACT_KIND_UNSPECIFIED: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_PROCESS_DEFINITION: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_AGENT_DEFINITION: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_EXTENSION_DEFINITION: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_DOCUMENT: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_DIAGRAM: _ClassVar[ArtifactKind]
    ARTIFACT_KIND_DECISION_DEFINITION: _ClassVar[ArtifactKind]

class ArtifactStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ARTIFACT_STATUS_UNSPECIFIED: _ClassVar[ArtifactStatus]
    ARTIFACT_STATUS_DRAFT: _ClassVar[ArtifactStatus]
    ARTIFACT_STATUS_PUBLISHED: _ClassVar[ArtifactStatus]
    ARTIFACT_STATUS_ARCHIVED: _ClassVar[ArtifactStatus]
ARTIFACT_KIND_UNSPECIFIED: ArtifactKind
ARTIFACT_KIND_PROCESS_DEFINITION: ArtifactKind
ARTIFACT_KIND_AGENT_DEFINITION: ArtifactKind
ARTIFACT_KIND_EXTENSION_DEFINITION: ArtifactKind
ARTIFACT_KIND_DOCUMENT: ArtifactKind
ARTIFACT_KIND_DIAGRAM: ArtifactKind
ARTIFACT_KIND_DECISION_DEFINITION: ArtifactKind
ARTIFACT_STATUS_UNSPECIFIED: ArtifactStatus
ARTIFACT_STATUS_DRAFT: ArtifactStatus
ARTIFACT_STATUS_PUBLISHED: ArtifactStatus
ARTIFACT_STATUS_ARCHIVED: ArtifactStatus

class PublishedVersion(_message.Message):
    __slots__ = ("version", "content_hash", "stream_version", "published_at", "published_by", "plan_hash")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    STREAM_VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_BY_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    version: int
    content_hash: str
    stream_version: int
    published_at: _timestamp_pb2.Timestamp
    published_by: str
    plan_hash: str
    def __init__(self, version: _Optional[int] = ..., content_hash: _Optional[str] = ..., stream_version: _Optional[int] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., published_by: _Optional[str] = ..., plan_hash: _Optional[str] = ...) -> None: ...

class Artifact(_message.Message):
    __slots__ = ("id", "kind", "name", "status", "stream_version", "draft_revision", "latest_published_version", "published_version", "content_type", "content", "content_hash", "created_at", "created_by", "updated_at", "updated_by", "published_versions", "sandbox_run")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STREAM_VERSION_FIELD_NUMBER: _ClassVar[int]
    DRAFT_REVISION_FIELD_NUMBER: _ClassVar[int]
    LATEST_PUBLISHED_VERSION_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_RUN_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: ArtifactKind
    name: str
    status: ArtifactStatus
    stream_version: int
    draft_revision: int
    latest_published_version: int
    published_version: int
    content_type: str
    content: bytes
    content_hash: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_at: _timestamp_pb2.Timestamp
    updated_by: str
    published_versions: _containers.RepeatedCompositeFieldContainer[PublishedVersion]
    sandbox_run: SandboxRun
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[ArtifactKind, str]] = ..., name: _Optional[str] = ..., status: _Optional[_Union[ArtifactStatus, str]] = ..., stream_version: _Optional[int] = ..., draft_revision: _Optional[int] = ..., latest_published_version: _Optional[int] = ..., published_version: _Optional[int] = ..., content_type: _Optional[str] = ..., content: _Optional[bytes] = ..., content_hash: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ..., published_versions: _Optional[_Iterable[_Union[PublishedVersion, _Mapping]]] = ..., sandbox_run: _Optional[_Union[SandboxRun, _Mapping]] = ...) -> None: ...

class SandboxRun(_message.Message):
    __slots__ = ("run_id", "status", "content_hash", "plan_hash", "sandbox_tenant", "tool_calls", "recorded_at", "recorded_by", "passed")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_TENANT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    status: str
    content_hash: str
    plan_hash: str
    sandbox_tenant: str
    tool_calls: int
    recorded_at: _timestamp_pb2.Timestamp
    recorded_by: str
    passed: bool
    def __init__(self, run_id: _Optional[str] = ..., status: _Optional[str] = ..., content_hash: _Optional[str] = ..., plan_hash: _Optional[str] = ..., sandbox_tenant: _Optional[str] = ..., tool_calls: _Optional[int] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recorded_by: _Optional[str] = ..., passed: _Optional[bool] = ...) -> None: ...

class ArtifactEvent(_message.Message):
    __slots__ = ("event_id", "artifact_id", "stream_version", "type", "occurred_at", "actor", "correlation_id", "causation_id", "content_hash", "published_version", "position")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    STREAM_VERSION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_HASH_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_VERSION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    artifact_id: str
    stream_version: int
    type: str
    occurred_at: _timestamp_pb2.Timestamp
    actor: str
    correlation_id: str
    causation_id: str
    content_hash: str
    published_version: int
    position: str
    def __init__(self, event_id: _Optional[str] = ..., artifact_id: _Optional[str] = ..., stream_version: _Optional[int] = ..., type: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., correlation_id: _Optional[str] = ..., causation_id: _Optional[str] = ..., content_hash: _Optional[str] = ..., published_version: _Optional[int] = ..., position: _Optional[str] = ...) -> None: ...
