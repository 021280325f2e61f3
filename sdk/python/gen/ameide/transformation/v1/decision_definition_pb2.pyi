from ameide.transformation.v1 import process_definition_pb2 as _process_definition_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LintDecisionRequest(_message.Message):
    __slots__ = ("content", "known_inputs")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    KNOWN_INPUTS_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    known_inputs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, content: _Optional[bytes] = ..., known_inputs: _Optional[_Iterable[str]] = ...) -> None: ...

class LintDecisionResponse(_message.Message):
    __slots__ = ("diagnostics", "plan", "plan_hash")
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[_process_definition_pb2.Diagnostic]
    plan: bytes
    plan_hash: str
    def __init__(self, diagnostics: _Optional[_Iterable[_Union[_process_definition_pb2.Diagnostic, _Mapping]]] = ..., plan: _Optional[bytes] = ..., plan_hash: _Optional[str] = ...) -> None: ...

class EvaluateDecisionRequest(_message.Message):
    __slots__ = ("name", "content", "version", "decision_id", "context")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    content: bytes
    version: int
    decision_id: str
    context: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., content: _Optional[bytes] = ..., version: _Optional[int] = ..., decision_id: _Optional[str] = ..., context: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class EvaluateDecisionResponse(_message.Message):
    __slots__ = ("result", "decision_id", "matches", "version", "plan_hash")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    result: _struct_pb2.Value
    decision_id: str
    matches: _containers.RepeatedCompositeFieldContainer[DecisionRuleMatches]
    version: int
    plan_hash: str
    def __init__(self, result: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., decision_id: _Optional[str] = ..., matches: _Optional[_Iterable[_Union[DecisionRuleMatches, _Mapping]]] = ..., version: _Optional[int] = ..., plan_hash: _Optional[str] = ...) -> None: ...

class DecisionRuleMatches(_message.Message):
    __slots__ = ("decision_id", "rule_ids")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, decision_id: _Optional[str] = ..., rule_ids: _Optional[_Iterable[str]] = ...) -> None: ...
