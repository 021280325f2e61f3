from ameide.events.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TailEventsRequest(_message.Message):
    __slots__ = ("domain", "type", "after_position", "follow")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    domain: str
    type: str
    after_position: str
    follow: bool
    def __init__(self, domain: _Optional[str] = ..., type: _Optional[str] = ..., after_position: _Optional[str] = ..., follow: _Optional[bool] = ...) -> None: ...

class TailEventsResponse(_message.Message):
    __slots__ = ("position", "event")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    position: str
    event: _envelope_pb2.EventEnvelope
    def __init__(self, position: _Optional[str] = ..., event: _Optional[_Union[_envelope_pb2.EventEnvelope, _Mapping]] = ...) -> None: ...
