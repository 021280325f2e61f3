import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Per-call facts every log line inside the call carries. Mutable: the tracing
 * interceptor sets the trace id, the context interceptor adds the tenant once
 * the token is verified.
 */
export interface CallScope {
  traceId: string | undefined;
  tenantId: string | undefined;
}

/** Async-local scope of the current RPC; read by the logger's mixin. */
export const callScope = new AsyncLocalStorage<CallScope>();
