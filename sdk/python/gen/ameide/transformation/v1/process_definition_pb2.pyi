from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProcessFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROCESS_FORMAT_UNSPECIFIED: _ClassVar[ProcessFormat]
    PROCESS_FORMAT_JSON: _ClassVar[ProcessFormat]
    PROCESS_FORMAT_BPMN: _ClassVar[ProcessFormat]

class DiagnosticSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIAGNOSTIC_SEVERITY_UNSPECIFIED: _ClassVar[DiagnosticSeverity]
    DIAGNOSTIC_SEVERITY_ERROR: _ClassVar[DiagnosticSeverity]
    DIAGNOSTIC_SEVERITY_WARNING: _ClassVar[DiagnosticSeverity]
    DIAGNOSTIC_SEVERITY_INFO: _ClassVar[DiagnosticSeverity]
PROCESS_FORMAT_UNSPECIFIED: ProcessFormat
PROCESS_FORMAT_JSON: ProcessFormat
PROCESS_FORMAT_BPMN: ProcessFormat
DIAGNOSTIC_SEVERITY_UNSPECIFIED: DiagnosticSeverity
DIAGNOSTIC_SEVERITY_ERROR: DiagnosticSeverity
DIAGNOSTIC_SEVERITY_WARNING: DiagnosticSeverity
DIAGNOSTIC_SEVERITY_INFO: DiagnosticSeverity

class Diagnostic(_message.Message):
    __slots__ = ("code", "severity", "message", "element_id", "expression_offset", "field")
    CODE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    EXPRESSION_OFFSET_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    code: str
    severity: DiagnosticSeverity
    message: str
    element_id: str
    expression_offset: int
    field: str
    def __init__(self, code: _Optional[str] = ..., severity: _Optional[_Union[DiagnosticSeverity, str]] = ..., message: _Optional[str] = ..., element_id: _Optional[str] = ..., expression_offset: _Optional[int] = ..., field: _Optional[str] = ...) -> None: ...

class LintProcessDefinitionRequest(_message.Message):
    __slots__ = ("format", "content")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    format: ProcessFormat
    content: bytes
    def __init__(self, format: _Optional[_Union[ProcessFormat, str]] = ..., content: _Optional[bytes] = ...) -> None: ...

class LintProcessDefinitionResponse(_message.Message):
    __slots__ = ("diagnostics",)
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class CompileProcessDefinitionRequest(_message.Message):
    __slots__ = ("format", "content")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    format: ProcessFormat
    content: bytes
    def __init__(self, format: _Optional[_Union[ProcessFormat, str]] = ..., content: _Optional[bytes] = ...) -> None: ...

class CompileProcessDefinitionResponse(_message.Message):
    __slots__ = ("plan", "plan_hash", "diagnostics")
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    plan: bytes
    plan_hash: str
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    def __init__(self, plan: _Optional[bytes] = ..., plan_hash: _Optional[str] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ...) -> None: ...

class ImportBpmnRequest(_message.Message):
    __slots__ = ("xml", "collaboration")
    XML_FIELD_NUMBER: _ClassVar[int]
    COLLABORATION_FIELD_NUMBER: _ClassVar[int]
    xml: bytes
    collaboration: bool
    def __init__(self, xml: _Optional[bytes] = ..., collaboration: _Optional[bool] = ...) -> None: ...

class ImportBpmnResponse(_message.Message):
    __slots__ = ("definition", "diagnostics", "definitions", "collaboration")
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTICS_FIELD_NUMBER: _ClassVar[int]
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    COLLABORATION_FIELD_NUMBER: _ClassVar[int]
    definition: bytes
    diagnostics: _containers.RepeatedCompositeFieldContainer[Diagnostic]
    definitions: _containers.RepeatedScalarFieldContainer[bytes]
    collaboration: bytes
    def __init__(self, definition: _Optional[bytes] = ..., diagnostics: _Optional[_Iterable[_Union[Diagnostic, _Mapping]]] = ..., definitions: _Optional[_Iterable[bytes]] = ..., collaboration: _Optional[bytes] = ...) -> None: ...

class ExportBpmnRequest(_message.Message):
    __slots__ = ("definition", "definitions", "collaboration")
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    COLLABORATION_FIELD_NUMBER: _ClassVar[int]
    definition: bytes
    definitions: _containers.RepeatedScalarFieldContainer[bytes]
    collaboration: bytes
    def __init__(self, definition: _Optional[bytes] = ..., definitions: _Optional[_Iterable[bytes]] = ..., collaboration: _Optional[bytes] = ...) -> None: ...

class ExportBpmnResponse(_message.Message):
    __slots__ = ("xml",)
    XML_FIELD_NUMBER: _ClassVar[int]
    xml: bytes
    def __init__(self, xml: _Optional[bytes] = ...) -> None: ...
