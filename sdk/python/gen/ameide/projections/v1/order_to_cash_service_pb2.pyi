import datetime

from ameide.common.v1 import options_pb2 as _options_pb2
from ameide.sales.v1 import money_pb2 as _money_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderSummary(_message.Message):
    __slots__ = ("order_id", "customer_id", "customer_name", "status", "total", "paid", "line_count", "lines", "payments", "process_instance_id", "process_definition", "process_status", "created_at", "updated_at")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    PROCESS_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROCESS_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    PROCESS_STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    customer_id: str
    customer_name: str
    status: str
    total: _money_pb2.Money
    paid: _money_pb2.Money
    line_count: int
    lines: _containers.RepeatedCompositeFieldContainer[OrderSummaryLine]
    payments: _containers.RepeatedCompositeFieldContainer[OrderSummaryPayment]
    process_instance_id: str
    process_definition: str
    process_status: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., customer_name: _Optional[str] = ..., status: _Optional[str] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., paid: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., line_count: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[OrderSummaryLine, _Mapping]]] = ..., payments: _Optional[_Iterable[_Union[OrderSummaryPayment, _Mapping]]] = ..., process_instance_id: _Optional[str] = ..., process_definition: _Optional[str] = ..., process_status: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderSummaryLine(_message.Message):
    __slots__ = ("line_id", "sku", "quantity", "unit_price")
    LINE_ID_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    line_id: str
    sku: str
    quantity: int
    unit_price: _money_pb2.Money
    def __init__(self, line_id: _Optional[str] = ..., sku: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class OrderSummaryPayment(_message.Message):
    __slots__ = ("reference", "amount", "recorded_at")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    reference: str
    amount: _money_pb2.Money
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, reference: _Optional[str] = ..., amount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListOrderSummariesRequest(_message.Message):
    __slots__ = ("status", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: str
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrderSummariesResponse(_message.Message):
    __slots__ = ("orders", "next_page_token")
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orders: _containers.RepeatedCompositeFieldContainer[OrderSummary]
    next_page_token: str
    def __init__(self, orders: _Optional[_Iterable[_Union[OrderSummary, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetOrderSummaryRequest(_message.Message):
    __slots__ = ("order_id",)
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    def __init__(self, order_id: _Optional[str] = ...) -> None: ...

class GetOrderSummaryResponse(_message.Message):
    __slots__ = ("order",)
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order: OrderSummary
    def __init__(self, order: _Optional[_Union[OrderSummary, _Mapping]] = ...) -> None: ...
