import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InstanceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTANCE_STATUS_UNSPECIFIED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_RUNNING: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_COMPLETED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_FAILED: _ClassVar[InstanceStatus]
    INSTANCE_STATUS_CANCELLED: _ClassVar[InstanceStatus]
INSTANCE_STATUS_UNSPECIFIED: InstanceStatus
INSTANCE_STATUS_RUNNING: InstanceStatus
INSTANCE_STATUS_COMPLETED: InstanceStatus
INSTANCE_STATUS_FAILED: InstanceStatus
INSTANCE_STATUS_CANCELLED: InstanceStatus

class DefinitionRef(_message.Message):
    __slots__ = ("definition_id", "name", "version", "plan_hash")
    DEFINITION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PLAN_HASH_FIELD_NUMBER: _ClassVar[int]
    definition_id: str
    name: str
    version: int
    plan_hash: str
    def __init__(self, definition_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[int] = ..., plan_hash: _Optional[str] = ...) -> None: ...

class StartProcessRequest(_message.Message):
    __slots__ = ("definition_name", "definition_id", "version", "variables", "business_key")
    DEFINITION_NAME_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_KEY_FIELD_NUMBER: _ClassVar[int]
    definition_name: str
    definition_id: str
    version: int
    variables: _struct_pb2.Struct
    business_key: str
    def __init__(self, definition_name: _Optional[str] = ..., definition_id: _Optional[str] = ..., version: _Optional[int] = ..., variables: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., business_key: _Optional[str] = ...) -> None: ...

class StartProcessResponse(_message.Message):
    __slots__ = ("instance_id", "definition")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    definition: DefinitionRef
    def __init__(self, instance_id: _Optional[str] = ..., definition: _Optional[_Union[DefinitionRef, _Mapping]] = ...) -> None: ...

class Token(_message.Message):
    __slots__ = ("id", "node_id", "scope", "waiting_for")
    ID_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    WAITING_FOR_FIELD_NUMBER: _ClassVar[int]
    id: str
    node_id: str
    scope: str
    waiting_for: str
    def __init__(self, id: _Optional[str] = ..., node_id: _Optional[str] = ..., scope: _Optional[str] = ..., waiting_for: _Optional[str] = ...) -> None: ...

class UserTask(_message.Message):
    __slots__ = ("task_id", "instance_id", "node_id", "title", "assignee", "candidate_groups", "form", "created_at", "due_at", "definition_name")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_GROUPS_FIELD_NUMBER: _ClassVar[int]
    FORM_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_NAME_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    instance_id: str
    node_id: str
    title: str
    assignee: str
    candidate_groups: _containers.RepeatedScalarFieldContainer[str]
    form: _struct_pb2.Struct
    created_at: _timestamp_pb2.Timestamp
    due_at: _timestamp_pb2.Timestamp
    definition_name: str
    def __init__(self, task_id: _Optional[str] = ..., instance_id: _Optional[str] = ..., node_id: _Optional[str] = ..., title: _Optional[str] = ..., assignee: _Optional[str] = ..., candidate_groups: _Optional[_Iterable[str]] = ..., form: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., definition_name: _Optional[str] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("seq", "at", "event", "node_id", "by", "detail")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    seq: int
    at: _timestamp_pb2.Timestamp
    event: str
    node_id: str
    by: str
    detail: str
    def __init__(self, seq: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event: _Optional[str] = ..., node_id: _Optional[str] = ..., by: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class ProcessInstance(_message.Message):
    __slots__ = ("instance_id", "status", "definition", "business_key", "started_at", "closed_at", "started_by", "tokens", "variables", "user_tasks", "audit", "error_code", "error_message")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_KEY_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_BY_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    USER_TASKS_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    status: InstanceStatus
    definition: DefinitionRef
    business_key: str
    started_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    started_by: str
    tokens: _containers.RepeatedCompositeFieldContainer[Token]
    variables: _struct_pb2.Struct
    user_tasks: _containers.RepeatedCompositeFieldContainer[UserTask]
    audit: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    error_code: str
    error_message: str
    def __init__(self, instance_id: _Optional[str] = ..., status: _Optional[_Union[InstanceStatus, str]] = ..., definition: _Optional[_Union[DefinitionRef, _Mapping]] = ..., business_key: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_by: _Optional[str] = ..., tokens: _Optional[_Iterable[_Union[Token, _Mapping]]] = ..., variables: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., user_tasks: _Optional[_Iterable[_Union[UserTask, _Mapping]]] = ..., audit: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., error_code: _Optional[str] = ..., error_message: _Optional[str] = ...) -> None: ...

class GetProcessInstanceRequest(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class GetProcessInstanceResponse(_message.Message):
    __slots__ = ("instance",)
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    instance: ProcessInstance
    def __init__(self, instance: _Optional[_Union[ProcessInstance, _Mapping]] = ...) -> None: ...

class ListProcessInstancesRequest(_message.Message):
    __slots__ = ("definition_name", "status", "business_key", "page_size", "page_token")
    DEFINITION_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BUSINESS_KEY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    definition_name: str
    status: InstanceStatus
    business_key: str
    page_size: int
    page_token: str
    def __init__(self, definition_name: _Optional[str] = ..., status: _Optional[_Union[InstanceStatus, str]] = ..., business_key: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListProcessInstancesResponse(_message.Message):
    __slots__ = ("instances", "next_page_token")
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instances: _containers.RepeatedCompositeFieldContainer[ProcessInstance]
    next_page_token: str
    def __init__(self, instances: _Optional[_Iterable[_Union[ProcessInstance, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListUserTasksRequest(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class ListUserTasksResponse(_message.Message):
    __slots__ = ("tasks",)
    TASKS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[UserTask]
    def __init__(self, tasks: _Optional[_Iterable[_Union[UserTask, _Mapping]]] = ...) -> None: ...

class CompleteUserTaskRequest(_message.Message):
    __slots__ = ("instance_id", "task_id", "data")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    task_id: str
    data: _struct_pb2.Struct
    def __init__(self, instance_id: _Optional[str] = ..., task_id: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CompleteUserTaskResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CorrelateMessageRequest(_message.Message):
    __slots__ = ("message_name", "correlation_key", "payload", "instance_id", "message_id")
    MESSAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_KEY_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_name: str
    correlation_key: str
    payload: _struct_pb2.Struct
    instance_id: str
    message_id: str
    def __init__(self, message_name: _Optional[str] = ..., correlation_key: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., instance_id: _Optional[str] = ..., message_id: _Optional[str] = ...) -> None: ...

class CorrelateMessageResponse(_message.Message):
    __slots__ = ("instance_ids", "started")
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    started: bool
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ..., started: _Optional[bool] = ...) -> None: ...

class BroadcastSignalRequest(_message.Message):
    __slots__ = ("signal_name", "payload")
    SIGNAL_NAME_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    signal_name: str
    payload: _struct_pb2.Struct
    def __init__(self, signal_name: _Optional[str] = ..., payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class BroadcastSignalResponse(_message.Message):
    __slots__ = ("delivered", "started_instance_ids")
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    STARTED_INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    delivered: int
    started_instance_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, delivered: _Optional[int] = ..., started_instance_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CancelProcessRequest(_message.Message):
    __slots__ = ("instance_id", "reason")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    reason: str
    def __init__(self, instance_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelProcessResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
