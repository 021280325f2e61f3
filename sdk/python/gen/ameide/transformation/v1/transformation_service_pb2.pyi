from ameide.transformation.v1 import artifact_pb2 as _artifact_pb2
from ameide.transformation.v1 import decision_definition_pb2 as _decision_definition_pb2
from ameide.transformation.v1 import process_definition_pb2 as _process_definition_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateArtifactRequest(_message.Message):
    __slots__ = ("kind", "name", "content_type", "content", "correlation_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    kind: _artifact_pb2.ArtifactKind
    name: str
    content_type: str
    content: bytes
    correlation_id: str
    def __init__(self, kind: _Optional[_Union[_artifact_pb2.ArtifactKind, str]] = ..., name: _Optional[str] = ..., content_type: _Optional[str] = ..., content: _Optional[bytes] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class CreateArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _artifact_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...

class ReviseArtifactRequest(_message.Message):
    __slots__ = ("artifact_id", "expected_version", "content", "content_type", "correlation_id")
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    expected_version: int
    content: bytes
    content_type: str
    correlation_id: str
    def __init__(self, artifact_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class ReviseArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _artifact_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...

class PublishArtifactRequest(_message.Message):
    __slots__ = ("artifact_id", "expected_version", "correlation_id")
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    expected_version: int
    correlation_id: str
    def __init__(self, artifact_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class PublishArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _artifact_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...

class ArchiveArtifactRequest(_message.Message):
    __slots__ = ("artifact_id", "expected_version", "correlation_id")
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    expected_version: int
    correlation_id: str
    def __init__(self, artifact_id: _Optional[str] = ..., expected_version: _Optional[int] = ..., correlation_id: _Optional[str] = ...) -> None: ...

class ArchiveArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _artifact_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...

class GetArtifactRequest(_message.Message):
    __slots__ = ("artifact_id", "kind", "name", "published_version", "latest_published", "stream_version")
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_VERSION_FIELD_NUMBER: _ClassVar[int]
    LATEST_PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    STREAM_VERSION_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    kind: _artifact_pb2.ArtifactKind
    name: str
    published_version: int
    latest_published: bool
    stream_version: int
    def __init__(self, artifact_id: _Optional[str] = ..., kind: _Optional[_Union[_artifact_pb2.ArtifactKind, str]] = ..., name: _Optional[str] = ..., published_version: _Optional[int] = ..., latest_published: _Optional[bool] = ..., stream_version: _Optional[int] = ...) -> None: ...

class GetArtifactResponse(_message.Message):
    __slots__ = ("artifact",)
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    artifact: _artifact_pb2.Artifact
    def __init__(self, artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...

class ListArtifactsRequest(_message.Message):
    __slots__ = ("kind", "status", "page_size", "page_token")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    kind: _artifact_pb2.ArtifactKind
    status: _artifact_pb2.ArtifactStatus
    page_size: int
    page_token: str
    def __init__(self, kind: _Optional[_Union[_artifact_pb2.ArtifactKind, str]] = ..., status: _Optional[_Union[_artifact_pb2.ArtifactStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListArtifactsResponse(_message.Message):
    __slots__ = ("artifacts", "next_page_token")
    ARTIFACTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    artifacts: _containers.RepeatedCompositeFieldContainer[_artifact_pb2.Artifact]
    next_page_token: str
    def __init__(self, artifacts: _Optional[_Iterable[_Union[_artifact_pb2.Artifact, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetArtifactHistoryRequest(_message.Message):
    __slots__ = ("artifact_id",)
    ARTIFACT_ID_FIELD_NUMBER: _ClassVar[int]
    artifact_id: str
    def __init__(self, artifact_id: _Optional[str] = ...) -> None: ...

class GetArtifactHistoryResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_artifact_pb2.ArtifactEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_artifact_pb2.ArtifactEvent, _Mapping]]] = ...) -> None: ...

class WatchArtifactsRequest(_message.Message):
    __slots__ = ("after_position", "kind")
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    after_position: str
    kind: _artifact_pb2.ArtifactKind
    def __init__(self, after_position: _Optional[str] = ..., kind: _Optional[_Union[_artifact_pb2.ArtifactKind, str]] = ...) -> None: ...

class WatchArtifactsResponse(_message.Message):
    __slots__ = ("event", "artifact")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    event: _artifact_pb2.ArtifactEvent
    artifact: _artifact_pb2.Artifact
    def __init__(self, event: _Optional[_Union[_artifact_pb2.ArtifactEvent, _Mapping]] = ..., artifact: _Optional[_Union[_artifact_pb2.Artifact, _Mapping]] = ...) -> None: ...
