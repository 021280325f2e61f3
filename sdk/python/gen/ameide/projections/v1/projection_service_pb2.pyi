import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListProjectionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProjectionsResponse(_message.Message):
    __slots__ = ("projections",)
    PROJECTIONS_FIELD_NUMBER: _ClassVar[int]
    projections: _containers.RepeatedCompositeFieldContainer[ProjectionStatus]
    def __init__(self, projections: _Optional[_Iterable[_Union[ProjectionStatus, _Mapping]]] = ...) -> None: ...

class GetProjectionStatusRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetProjectionStatusResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ProjectionStatus
    def __init__(self, status: _Optional[_Union[ProjectionStatus, _Mapping]] = ...) -> None: ...

class RebuildProjectionRequest(_message.Message):
    __slots__ = ("name", "source")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    source: str
    def __init__(self, name: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class RebuildProjectionResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: ProjectionStatus
    def __init__(self, status: _Optional[_Union[ProjectionStatus, _Mapping]] = ...) -> None: ...

class ProjectionStatus(_message.Message):
    __slots__ = ("name", "description", "state", "definition_hash", "sources", "events_applied", "events_behind", "seconds_behind", "tables", "last_rebuild", "dead_letters")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_HASH_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    EVENTS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    SECONDS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    TABLES_FIELD_NUMBER: _ClassVar[int]
    LAST_REBUILD_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    state: str
    definition_hash: str
    sources: _containers.RepeatedCompositeFieldContainer[SourceStatus]
    events_applied: int
    events_behind: int
    seconds_behind: float
    tables: _containers.RepeatedScalarFieldContainer[str]
    last_rebuild: RebuildStatus
    dead_letters: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., state: _Optional[str] = ..., definition_hash: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[SourceStatus, _Mapping]]] = ..., events_applied: _Optional[int] = ..., events_behind: _Optional[int] = ..., seconds_behind: _Optional[float] = ..., tables: _Optional[_Iterable[str]] = ..., last_rebuild: _Optional[_Union[RebuildStatus, _Mapping]] = ..., dead_letters: _Optional[int] = ...) -> None: ...

class SourceStatus(_message.Message):
    __slots__ = ("domain", "event_types", "events_behind", "seconds_behind", "position")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    SECONDS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    domain: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    events_behind: int
    seconds_behind: float
    position: str
    def __init__(self, domain: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., events_behind: _Optional[int] = ..., seconds_behind: _Optional[float] = ..., position: _Optional[str] = ...) -> None: ...

class RebuildStatus(_message.Message):
    __slots__ = ("state", "source", "events_applied", "started_at", "finished_at", "error", "duration_seconds")
    STATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    state: str
    source: str
    events_applied: int
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    error: str
    duration_seconds: float
    def __init__(self, state: _Optional[str] = ..., source: _Optional[str] = ..., events_applied: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., error: _Optional[str] = ..., duration_seconds: _Optional[float] = ...) -> None: ...
