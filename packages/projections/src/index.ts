// The Projection primitive: definitions, the runner, the service; the shipped read models.
export {
  definitionHash,
  validateProjectionDefinition,
} from './definition/projection-definition.js';
export type {
  Change,
  ColumnType,
  ProjectionDefinition,
  ProjectionHandler,
  ProjectionSource,
  ProjectionState,
  Row,
  RowValue,
  TableDefinition,
} from './definition/projection-definition.js';
export { createProjectionRunner } from './runner/projection-runner.js';
export type {
  ProjectionRunner,
  ProjectionRunnerOptions,
  ProjectionStatusInfo,
  RebuildInfo,
  RebuildSource,
  SourceLag,
} from './runner/projection-runner.js';
export { PROJECTOR_ROLE, projectionSchema } from './schema/projection-schema.js';
export { PLATFORM_ADMIN_GROUP, projectionServiceRoutes } from './service/projection-service.js';

export {
  orderToCashProjection,
  ProcessInstanceEventType,
} from './order-to-cash/order-to-cash-projection.js';
export { orderToCashServiceRoutes } from './order-to-cash/order-to-cash-service.js';

export { graphProjection, graphNodeId } from './graph/graph-projection.js';
export type { ArtifactReferences } from './graph/graph-projection.js';
export { catalogGraph, GraphView } from './graph/graph-model.js';
export type { Edge, GraphCatalog, Node } from './graph/graph-model.js';
export { graphServiceRoutes } from './graph/graph-service.js';
