from ameide.common.v1 import options_pb2 as _options_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_OUT: _ClassVar[Direction]
    DIRECTION_IN: _ClassVar[Direction]
    DIRECTION_BOTH: _ClassVar[Direction]
DIRECTION_UNSPECIFIED: Direction
DIRECTION_OUT: Direction
DIRECTION_IN: Direction
DIRECTION_BOTH: Direction

class GraphNode(_message.Message):
    __slots__ = ("id", "kind", "name", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    name: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GraphEdge(_message.Message):
    __slots__ = ("to", "kind")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    to: str
    kind: str
    def __init__(self, to: _Optional[str] = ..., kind: _Optional[str] = ..., **kwargs) -> None: ...

class GraphAt(_message.Message):
    __slots__ = ("artifact", "version")
    ARTIFACT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    artifact: str
    version: int
    def __init__(self, artifact: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetNeighboursRequest(_message.Message):
    __slots__ = ("node_id", "direction", "edge_kinds", "at")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    EDGE_KINDS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    direction: Direction
    edge_kinds: _containers.RepeatedScalarFieldContainer[str]
    at: GraphAt
    def __init__(self, node_id: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ..., edge_kinds: _Optional[_Iterable[str]] = ..., at: _Optional[_Union[GraphAt, _Mapping]] = ...) -> None: ...

class GetNeighboursResponse(_message.Message):
    __slots__ = ("node", "neighbours", "edges")
    NODE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURS_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    node: GraphNode
    neighbours: _containers.RepeatedCompositeFieldContainer[GraphNode]
    edges: _containers.RepeatedCompositeFieldContainer[GraphEdge]
    def __init__(self, node: _Optional[_Union[GraphNode, _Mapping]] = ..., neighbours: _Optional[_Iterable[_Union[GraphNode, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[GraphEdge, _Mapping]]] = ...) -> None: ...

class FindPathsRequest(_message.Message):
    __slots__ = ("to", "max_depth", "max_paths", "at")
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    MAX_PATHS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    to: str
    max_depth: int
    max_paths: int
    at: GraphAt
    def __init__(self, to: _Optional[str] = ..., max_depth: _Optional[int] = ..., max_paths: _Optional[int] = ..., at: _Optional[_Union[GraphAt, _Mapping]] = ..., **kwargs) -> None: ...

class GraphPath(_message.Message):
    __slots__ = ("nodes", "edges")
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[GraphNode]
    edges: _containers.RepeatedCompositeFieldContainer[GraphEdge]
    def __init__(self, nodes: _Optional[_Iterable[_Union[GraphNode, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[GraphEdge, _Mapping]]] = ...) -> None: ...

class FindPathsResponse(_message.Message):
    __slots__ = ("paths",)
    PATHS_FIELD_NUMBER: _ClassVar[int]
    paths: _containers.RepeatedCompositeFieldContainer[GraphPath]
    def __init__(self, paths: _Optional[_Iterable[_Union[GraphPath, _Mapping]]] = ...) -> None: ...

class GetImpactRequest(_message.Message):
    __slots__ = ("node_id", "max_depth", "at")
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    max_depth: int
    at: GraphAt
    def __init__(self, node_id: _Optional[str] = ..., max_depth: _Optional[int] = ..., at: _Optional[_Union[GraphAt, _Mapping]] = ...) -> None: ...

class ImpactedNode(_message.Message):
    __slots__ = ("node", "depth", "path")
    NODE_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    node: GraphNode
    depth: int
    path: GraphPath
    def __init__(self, node: _Optional[_Union[GraphNode, _Mapping]] = ..., depth: _Optional[int] = ..., path: _Optional[_Union[GraphPath, _Mapping]] = ...) -> None: ...

class GetImpactResponse(_message.Message):
    __slots__ = ("node", "impacted")
    NODE_FIELD_NUMBER: _ClassVar[int]
    IMPACTED_FIELD_NUMBER: _ClassVar[int]
    node: GraphNode
    impacted: _containers.RepeatedCompositeFieldContainer[ImpactedNode]
    def __init__(self, node: _Optional[_Union[GraphNode, _Mapping]] = ..., impacted: _Optional[_Iterable[_Union[ImpactedNode, _Mapping]]] = ...) -> None: ...

class SearchNodesRequest(_message.Message):
    __slots__ = ("query", "kind", "limit", "at")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    query: str
    kind: str
    limit: int
    at: GraphAt
    def __init__(self, query: _Optional[str] = ..., kind: _Optional[str] = ..., limit: _Optional[int] = ..., at: _Optional[_Union[GraphAt, _Mapping]] = ...) -> None: ...

class SearchNodesResponse(_message.Message):
    __slots__ = ("nodes",)
    NODES_FIELD_NUMBER: _ClassVar[int]
    nodes: _containers.RepeatedCompositeFieldContainer[GraphNode]
    def __init__(self, nodes: _Optional[_Iterable[_Union[GraphNode, _Mapping]]] = ...) -> None: ...
