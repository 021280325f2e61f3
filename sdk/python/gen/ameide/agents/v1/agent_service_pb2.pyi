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

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    RUN_STATUS_RUNNING: _ClassVar[RunStatus]
    RUN_STATUS_COMPLETED: _ClassVar[RunStatus]
    RUN_STATUS_FAILED: _ClassVar[RunStatus]
    RUN_STATUS_MAX_STEPS: _ClassVar[RunStatus]
    RUN_STATUS_MAX_TOOL_CALLS: _ClassVar[RunStatus]
    RUN_STATUS_TOKEN_BUDGET: _ClassVar[RunStatus]
    RUN_STATUS_TIMEOUT: _ClassVar[RunStatus]
    RUN_STATUS_CANCELLED: _ClassVar[RunStatus]

class ProposalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPOSAL_STATUS_UNSPECIFIED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_PENDING: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_APPROVED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_REJECTED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_APPLIED: _ClassVar[ProposalStatus]
    PROPOSAL_STATUS_FAILED: _ClassVar[ProposalStatus]
RUN_STATUS_UNSPECIFIED: RunStatus
RUN_STATUS_RUNNING: RunStatus
RUN_STATUS_COMPLETED: RunStatus
RUN_STATUS_FAILED: RunStatus
RUN_STATUS_MAX_STEPS: RunStatus
RUN_STATUS_MAX_TOOL_CALLS: RunStatus
RUN_STATUS_TOKEN_BUDGET: RunStatus
RUN_STATUS_TIMEOUT: RunStatus
RUN_STATUS_CANCELLED: RunStatus
PROPOSAL_STATUS_UNSPECIFIED: ProposalStatus
PROPOSAL_STATUS_PENDING: ProposalStatus
PROPOSAL_STATUS_APPROVED: ProposalStatus
PROPOSAL_STATUS_REJECTED: ProposalStatus
PROPOSAL_STATUS_APPLIED: ProposalStatus
PROPOSAL_STATUS_FAILED: ProposalStatus

class ToolCall(_message.Message):
    __slots__ = ("step", "call_id", "tool", "rpc", "risk", "arguments", "outcome", "proposal_id", "error_code", "error")
    STEP_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    step: int
    call_id: str
    tool: str
    rpc: str
    risk: str
    arguments: _struct_pb2.Struct
    outcome: str
    proposal_id: str
    error_code: str
    error: str
    def __init__(self, step: _Optional[int] = ..., call_id: _Optional[str] = ..., tool: _Optional[str] = ..., rpc: _Optional[str] = ..., risk: _Optional[str] = ..., arguments: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., outcome: _Optional[str] = ..., proposal_id: _Optional[str] = ..., error_code: _Optional[str] = ..., error: _Optional[str] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("run_id", "agent", "version", "config_hash", "user_id", "trace_id", "status", "message", "answer", "steps", "tool_calls", "proposal_ids", "input_tokens", "output_tokens", "started_at", "ended_at", "sandbox_tenant")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_HASH_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_IDS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_TENANT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    agent: str
    version: int
    config_hash: str
    user_id: str
    trace_id: str
    status: RunStatus
    message: str
    answer: str
    steps: int
    tool_calls: _containers.RepeatedCompositeFieldContainer[ToolCall]
    proposal_ids: _containers.RepeatedScalarFieldContainer[str]
    input_tokens: int
    output_tokens: int
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    sandbox_tenant: str
    def __init__(self, run_id: _Optional[str] = ..., agent: _Optional[str] = ..., version: _Optional[int] = ..., config_hash: _Optional[str] = ..., user_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., status: _Optional[_Union[RunStatus, str]] = ..., message: _Optional[str] = ..., answer: _Optional[str] = ..., steps: _Optional[int] = ..., tool_calls: _Optional[_Iterable[_Union[ToolCall, _Mapping]]] = ..., proposal_ids: _Optional[_Iterable[str]] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sandbox_tenant: _Optional[str] = ...) -> None: ...

class Proposal(_message.Message):
    __slots__ = ("proposal_id", "run_id", "agent", "agent_version", "tool", "rpc", "arguments", "rationale", "status", "approver_group", "review_instance_id", "proposed_by", "decided_by", "comment", "result", "error", "created_at", "decided_at")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    TOOL_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    APPROVER_GROUP_FIELD_NUMBER: _ClassVar[int]
    REVIEW_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSED_BY_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    run_id: str
    agent: str
    agent_version: int
    tool: str
    rpc: str
    arguments: _struct_pb2.Struct
    rationale: str
    status: ProposalStatus
    approver_group: str
    review_instance_id: str
    proposed_by: str
    decided_by: str
    comment: str
    result: _struct_pb2.Struct
    error: str
    created_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, proposal_id: _Optional[str] = ..., run_id: _Optional[str] = ..., agent: _Optional[str] = ..., agent_version: _Optional[int] = ..., tool: _Optional[str] = ..., rpc: _Optional[str] = ..., arguments: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., rationale: _Optional[str] = ..., status: _Optional[_Union[ProposalStatus, str]] = ..., approver_group: _Optional[str] = ..., review_instance_id: _Optional[str] = ..., proposed_by: _Optional[str] = ..., decided_by: _Optional[str] = ..., comment: _Optional[str] = ..., result: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RunAgentRequest(_message.Message):
    __slots__ = ("agent", "version", "input")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    agent: str
    version: int
    input: str
    def __init__(self, agent: _Optional[str] = ..., version: _Optional[int] = ..., input: _Optional[str] = ...) -> None: ...

class FixtureCall(_message.Message):
    __slots__ = ("rpc", "request")
    RPC_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    rpc: str
    request: _struct_pb2.Struct
    def __init__(self, rpc: _Optional[str] = ..., request: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RunSandboxRequest(_message.Message):
    __slots__ = ("agent", "input", "fixtures")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    FIXTURES_FIELD_NUMBER: _ClassVar[int]
    agent: str
    input: str
    fixtures: _containers.RepeatedCompositeFieldContainer[FixtureCall]
    def __init__(self, agent: _Optional[str] = ..., input: _Optional[str] = ..., fixtures: _Optional[_Iterable[_Union[FixtureCall, _Mapping]]] = ...) -> None: ...

class FixtureResult(_message.Message):
    __slots__ = ("index", "rpc", "response")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    RPC_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    index: int
    rpc: str
    response: _struct_pb2.Struct
    def __init__(self, index: _Optional[int] = ..., rpc: _Optional[str] = ..., response: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RunSandboxResponse(_message.Message):
    __slots__ = ("fixture", "agent")
    FIXTURE_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    fixture: FixtureResult
    agent: RunAgentResponse
    def __init__(self, fixture: _Optional[_Union[FixtureResult, _Mapping]] = ..., agent: _Optional[_Union[RunAgentResponse, _Mapping]] = ...) -> None: ...

class RunAgentResponse(_message.Message):
    __slots__ = ("step", "text", "tool_call", "proposal_id", "malformed", "run")
    STEP_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    MALFORMED_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    step: StepEvent
    text: str
    tool_call: ToolCall
    proposal_id: str
    malformed: str
    run: Run
    def __init__(self, step: _Optional[_Union[StepEvent, _Mapping]] = ..., text: _Optional[str] = ..., tool_call: _Optional[_Union[ToolCall, _Mapping]] = ..., proposal_id: _Optional[str] = ..., malformed: _Optional[str] = ..., run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class StepEvent(_message.Message):
    __slots__ = ("step", "node")
    STEP_FIELD_NUMBER: _ClassVar[int]
    NODE_FIELD_NUMBER: _ClassVar[int]
    step: int
    node: str
    def __init__(self, step: _Optional[int] = ..., node: _Optional[str] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: Run
    def __init__(self, run: _Optional[_Union[Run, _Mapping]] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ("agent", "page_size")
    AGENT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    agent: str
    page_size: int
    def __init__(self, agent: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs",)
    RUNS_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[Run]
    def __init__(self, runs: _Optional[_Iterable[_Union[Run, _Mapping]]] = ...) -> None: ...

class ListProposalsRequest(_message.Message):
    __slots__ = ("run_id", "status", "proposal_id", "page_size")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    status: ProposalStatus
    proposal_id: str
    page_size: int
    def __init__(self, run_id: _Optional[str] = ..., status: _Optional[_Union[ProposalStatus, str]] = ..., proposal_id: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListProposalsResponse(_message.Message):
    __slots__ = ("proposals",)
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    proposals: _containers.RepeatedCompositeFieldContainer[Proposal]
    def __init__(self, proposals: _Optional[_Iterable[_Union[Proposal, _Mapping]]] = ...) -> None: ...

class DecideProposalRequest(_message.Message):
    __slots__ = ("proposal_id", "approve", "comment")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    approve: bool
    comment: str
    def __init__(self, proposal_id: _Optional[str] = ..., approve: _Optional[bool] = ..., comment: _Optional[str] = ...) -> None: ...

class DecideProposalResponse(_message.Message):
    __slots__ = ("proposal",)
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    proposal: Proposal
    def __init__(self, proposal: _Optional[_Union[Proposal, _Mapping]] = ...) -> None: ...

class ApplyProposalRequest(_message.Message):
    __slots__ = ("proposal_id",)
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    def __init__(self, proposal_id: _Optional[str] = ...) -> None: ...

class ApplyProposalResponse(_message.Message):
    __slots__ = ("proposal",)
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    proposal: Proposal
    def __init__(self, proposal: _Optional[_Union[Proposal, _Mapping]] = ...) -> None: ...
