import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TenantTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TENANT_TIER_UNSPECIFIED: _ClassVar[TenantTier]
    TENANT_TIER_SMB: _ClassVar[TenantTier]
    TENANT_TIER_ENTERPRISE: _ClassVar[TenantTier]

class DatabasePlacement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATABASE_PLACEMENT_UNSPECIFIED: _ClassVar[DatabasePlacement]
    DATABASE_PLACEMENT_SHARED: _ClassVar[DatabasePlacement]
    DATABASE_PLACEMENT_DEDICATED: _ClassVar[DatabasePlacement]
TENANT_TIER_UNSPECIFIED: TenantTier
TENANT_TIER_SMB: TenantTier
TENANT_TIER_ENTERPRISE: TenantTier
DATABASE_PLACEMENT_UNSPECIFIED: DatabasePlacement
DATABASE_PLACEMENT_SHARED: DatabasePlacement
DATABASE_PLACEMENT_DEDICATED: DatabasePlacement

class CreateTenantRequest(_message.Message):
    __slots__ = ("tenant_id", "display_name", "tier", "database_placement")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    DATABASE_PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    display_name: str
    tier: TenantTier
    database_placement: DatabasePlacement
    def __init__(self, tenant_id: _Optional[str] = ..., display_name: _Optional[str] = ..., tier: _Optional[_Union[TenantTier, str]] = ..., database_placement: _Optional[_Union[DatabasePlacement, str]] = ...) -> None: ...

class CreateTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: Tenant
    def __init__(self, tenant: _Optional[_Union[Tenant, _Mapping]] = ...) -> None: ...

class GetTenantRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: Tenant
    def __init__(self, tenant: _Optional[_Union[Tenant, _Mapping]] = ...) -> None: ...

class ListTenantsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTenantsResponse(_message.Message):
    __slots__ = ("tenants",)
    TENANTS_FIELD_NUMBER: _ClassVar[int]
    tenants: _containers.RepeatedCompositeFieldContainer[Tenant]
    def __init__(self, tenants: _Optional[_Iterable[_Union[Tenant, _Mapping]]] = ...) -> None: ...

class SuspendTenantRequest(_message.Message):
    __slots__ = ("tenant_id", "resume")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    resume: bool
    def __init__(self, tenant_id: _Optional[str] = ..., resume: _Optional[bool] = ...) -> None: ...

class SuspendTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: Tenant
    def __init__(self, tenant: _Optional[_Union[Tenant, _Mapping]] = ...) -> None: ...

class DeleteTenantRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class DeleteTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: Tenant
    def __init__(self, tenant: _Optional[_Union[Tenant, _Mapping]] = ...) -> None: ...

class Tenant(_message.Message):
    __slots__ = ("tenant_id", "display_name", "tier", "database_placement", "status", "issuer", "realm", "organization_id", "temporal_namespace", "database_name", "failure", "steps", "pending_steps", "created_at", "suspended_at", "deletable_at", "deleted_at")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    DATABASE_PLACEMENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    REALM_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPORAL_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    DATABASE_NAME_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    PENDING_STEPS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SUSPENDED_AT_FIELD_NUMBER: _ClassVar[int]
    DELETABLE_AT_FIELD_NUMBER: _ClassVar[int]
    DELETED_AT_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    display_name: str
    tier: TenantTier
    database_placement: DatabasePlacement
    status: str
    issuer: str
    realm: str
    organization_id: str
    temporal_namespace: str
    database_name: str
    failure: str
    steps: _containers.RepeatedCompositeFieldContainer[ProvisioningStep]
    pending_steps: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    suspended_at: _timestamp_pb2.Timestamp
    deletable_at: _timestamp_pb2.Timestamp
    deleted_at: _timestamp_pb2.Timestamp
    def __init__(self, tenant_id: _Optional[str] = ..., display_name: _Optional[str] = ..., tier: _Optional[_Union[TenantTier, str]] = ..., database_placement: _Optional[_Union[DatabasePlacement, str]] = ..., status: _Optional[str] = ..., issuer: _Optional[str] = ..., realm: _Optional[str] = ..., organization_id: _Optional[str] = ..., temporal_namespace: _Optional[str] = ..., database_name: _Optional[str] = ..., failure: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[ProvisioningStep, _Mapping]]] = ..., pending_steps: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., suspended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deletable_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deleted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProvisioningStep(_message.Message):
    __slots__ = ("name", "detail", "completed_at")
    class DetailEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    name: str
    detail: _containers.ScalarMap[str, str]
    completed_at: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., detail: _Optional[_Mapping[str, str]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
