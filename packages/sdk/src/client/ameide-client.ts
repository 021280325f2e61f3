import { createClient, type Client, type Interceptor, type Transport } from '@connectrpc/connect';
import {
  AgentService,
  CustomerService,
  EventService,
  ExtensionService,
  FactoryService,
  GraphService,
  OrderService,
  OrderToCashService,
  PlatformService,
  ProcessService,
  ProjectionService,
  TenantService,
  TransformationService,
} from '@ameide/proto';
import { authInterceptor, type TokenSource } from '../interceptors/auth.js';
import { retryInterceptor, type RetryOptions } from '../interceptors/retry.js';
import { traceparentInterceptor } from '../interceptors/traceparent.js';
import { mapClientErrors } from './map-errors.js';

/**
 * Every service of the Ameide Buf module, by the property the client exposes
 * it under. A unit test fails when the proto module gains a service that is
 * missing here.
 */
export const ameideServiceMap = {
  platform: PlatformService,
  transformation: TransformationService,
  orders: OrderService,
  customers: CustomerService,
  process: ProcessService,
  events: EventService,
  extensions: ExtensionService,
  projections: ProjectionService,
  orderToCash: OrderToCashService,
  graph: GraphService,
  agents: AgentService,
  tenants: TenantService,
  factory: FactoryService,
} as const;

type ServiceMap = typeof ameideServiceMap;

/** Typed clients for every Ameide service. */
export type AmeideClient = { readonly [K in keyof ServiceMap]: Client<ServiceMap[K]> };

export interface ClientInterceptorOptions {
  /** Bearer token, or a function returning one (called per request). */
  readonly token?: TokenSource;
  /** Alias of `token` as a function. */
  readonly getToken?: () => string | Promise<string>;
  readonly retry?: RetryOptions;
}

/** The SDK's interceptor chain: retry → auth → traceparent. */
export function ameideInterceptors(options: ClientInterceptorOptions): Interceptor[] {
  const token = options.getToken ?? options.token;
  return [
    retryInterceptor(options.retry),
    ...(token ? [authInterceptor(token)] : []),
    traceparentInterceptor(),
  ];
}

/**
 * Typed clients over any Connect transport (connect-node, connect-web); every
 * failure is an AmeideError. The transport should be created with
 * `ameideInterceptors(...)`.
 */
export function createAmeideClientFromTransport(transport: Transport): AmeideClient {
  const out: Record<string, unknown> = {};
  for (const [key, service] of Object.entries(ameideServiceMap))
    out[key] = mapClientErrors(service, createClient(service, transport));
  return out as AmeideClient;
}
