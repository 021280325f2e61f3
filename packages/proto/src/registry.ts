import { createRegistry, type DescService } from '@bufbuild/protobuf';
import { file_ameide_agents_v1_agent_service } from './gen/ameide/agents/v1/agent_service_pb.js';
import { file_ameide_common_v1_error_details } from './gen/ameide/common/v1/error_details_pb.js';
import { file_ameide_common_v1_request_context } from './gen/ameide/common/v1/request_context_pb.js';
import { file_ameide_platform_v1_platform_service } from './gen/ameide/platform/v1/platform_service_pb.js';
import { file_ameide_events_v1_envelope } from './gen/ameide/events/v1/envelope_pb.js';
import { file_ameide_events_v1_event_service } from './gen/ameide/events/v1/event_service_pb.js';
import { file_ameide_extensions_v1_extension_service } from './gen/ameide/extensions/v1/extension_service_pb.js';
import { file_ameide_factory_v1_factory_service } from './gen/ameide/factory/v1/factory_service_pb.js';
import { file_ameide_graph_v1_graph_service } from './gen/ameide/graph/v1/graph_service_pb.js';
import { file_ameide_projections_v1_order_to_cash_service } from './gen/ameide/projections/v1/order_to_cash_service_pb.js';
import { file_ameide_projections_v1_projection_service } from './gen/ameide/projections/v1/projection_service_pb.js';
import { file_ameide_tenancy_v1_tenant_service } from './gen/ameide/tenancy/v1/tenant_service_pb.js';
import { file_ameide_process_v1_process_service } from './gen/ameide/process/v1/process_service_pb.js';
import { file_ameide_sales_v1_customer_service } from './gen/ameide/sales/v1/customer_service_pb.js';
import { file_ameide_sales_v1_order_service } from './gen/ameide/sales/v1/order_service_pb.js';
import { file_ameide_transformation_v1_transformation_service } from './gen/ameide/transformation/v1/transformation_service_pb.js';

/**
 * Every file of the Ameide Buf module, as one registry. Used to resolve typed
 * error details, to check that process bindings name a real RPC, and to prove
 * the SDK covers every service.
 */
export const ameideRegistry = createRegistry(
  file_ameide_agents_v1_agent_service,
  file_ameide_common_v1_request_context,
  file_ameide_common_v1_error_details,
  file_ameide_platform_v1_platform_service,
  file_ameide_transformation_v1_transformation_service,
  file_ameide_sales_v1_order_service,
  file_ameide_sales_v1_customer_service,
  file_ameide_process_v1_process_service,
  file_ameide_events_v1_envelope,
  file_ameide_events_v1_event_service,
  file_ameide_extensions_v1_extension_service,
  file_ameide_projections_v1_projection_service,
  file_ameide_projections_v1_order_to_cash_service,
  file_ameide_factory_v1_factory_service,
  file_ameide_graph_v1_graph_service,
  file_ameide_tenancy_v1_tenant_service,
);

/**
 * Whether `service`/`method` names an RPC of the module, e.g.
 * (`ameide.sales.v1.OrderService`, `ConfirmOrder`).
 */
export function hasRpc(service: string, method: string): boolean {
  const s = ameideRegistry.getService(service);
  return s !== undefined && s.methods.some((m) => m.name === method);
}

/** All services declared in the Buf module, sorted by type name. */
export function ameideServices(): DescService[] {
  const services: DescService[] = [];
  for (const d of ameideRegistry) {
    if (d.kind === 'service') services.push(d);
  }
  return services.sort((a, b) => a.typeName.localeCompare(b.typeName));
}
