// Generated contracts of the Ameide Buf module (see proto/). Regenerate with
// `npm run proto:gen`; CI fails when packages/proto/src/gen is stale.
export * from './gen/ameide/common/v1/request_context_pb.js';
export * from './gen/ameide/common/v1/error_details_pb.js';
export * from './gen/ameide/common/v1/options_pb.js';
export * from './gen/ameide/platform/v1/platform_service_pb.js';
export * from './gen/ameide/transformation/v1/artifact_pb.js';
export * from './gen/ameide/transformation/v1/decision_definition_pb.js';
export * from './gen/ameide/transformation/v1/process_definition_pb.js';
export * from './gen/ameide/transformation/v1/transformation_service_pb.js';
export * from './gen/ameide/sales/v1/money_pb.js';
export * from './gen/ameide/sales/v1/order_service_pb.js';
export * from './gen/ameide/sales/v1/customer_service_pb.js';
export * from './gen/ameide/process/v1/process_service_pb.js';
export * from './gen/ameide/events/v1/envelope_pb.js';
export * from './gen/ameide/events/v1/event_service_pb.js';
export * from './gen/ameide/extensions/v1/extension_service_pb.js';
export * from './gen/ameide/factory/v1/factory_service_pb.js';
export * from './gen/ameide/projections/v1/projection_service_pb.js';
export * from './gen/ameide/projections/v1/order_to_cash_service_pb.js';
export * from './gen/ameide/tenancy/v1/tenant_service_pb.js';
export * from './gen/ameide/graph/v1/graph_service_pb.js';
export * from './gen/ameide/agents/v1/agent_service_pb.js';
export { ameideRegistry, ameideServices, hasRpc } from './registry.js';
