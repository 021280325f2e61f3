from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Template(_message.Message):
    __slots__ = ("name", "title", "description", "type", "parameter_schemas")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    description: str
    type: str
    parameter_schemas: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., type: _Optional[str] = ..., parameter_schemas: _Optional[_Iterable[str]] = ...) -> None: ...

class ListTemplatesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTemplatesResponse(_message.Message):
    __slots__ = ("templates",)
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[Template]
    def __init__(self, templates: _Optional[_Iterable[_Union[Template, _Mapping]]] = ...) -> None: ...

class ProposeScaffoldRequest(_message.Message):
    __slots__ = ("template", "values_json")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    VALUES_JSON_FIELD_NUMBER: _ClassVar[int]
    template: str
    values_json: str
    def __init__(self, template: _Optional[str] = ..., values_json: _Optional[str] = ...) -> None: ...

class ScaffoldFile(_message.Message):
    __slots__ = ("path", "mode", "size_bytes")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: int
    size_bytes: int
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[int] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class SkippedStep(_message.Message):
    __slots__ = ("id", "action")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    action: str
    def __init__(self, id: _Optional[str] = ..., action: _Optional[str] = ...) -> None: ...

class ProposeScaffoldResponse(_message.Message):
    __slots__ = ("template", "files", "patch", "skipped_steps")
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    PATCH_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_STEPS_FIELD_NUMBER: _ClassVar[int]
    template: str
    files: _containers.RepeatedCompositeFieldContainer[ScaffoldFile]
    patch: str
    skipped_steps: _containers.RepeatedCompositeFieldContainer[SkippedStep]
    def __init__(self, template: _Optional[str] = ..., files: _Optional[_Iterable[_Union[ScaffoldFile, _Mapping]]] = ..., patch: _Optional[str] = ..., skipped_steps: _Optional[_Iterable[_Union[SkippedStep, _Mapping]]] = ...) -> None: ...
