import type { Transport } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { Actor, RequestContext } from '@ameide/context';
import { fromConnectError } from '@ameide/errors';
import { callRpc } from '@ameide/sdk';

/** Bearer tokens for a caller (their tenant, organisation and user; never a platform identity). */
export interface CallerTokens {
  tokenFor(actor: Pick<Actor, 'tenantId' | 'orgId' | 'userId'>): Promise<string>;
}

/** Calls one proto method as a caller. */
export interface ToolHost {
  call(
    rpc: string,
    request: Record<string, unknown>,
    options: {
      readonly caller: RequestContext;
      readonly idempotencyKey?: string;
      readonly signal?: AbortSignal;
      /** Sent instead of a token for the caller (a person's own bearer token, as they sent it). */
      readonly authorization?: string;
    },
  ): Promise<Record<string, unknown>>;
}

export interface SdkToolHostOptions {
  /**
   * The platform's URL, or where a service (`package.Service`) is served (a function also
   * when the URL is known only once the host listens).
   */
  readonly serviceUrl: string | ((service: string) => string);
  readonly tokens: CallerTokens;
}

/**
 * A ToolHost on the TS SDK (`callRpc` over Connect): every call carries a token for the
 * caller's tenant and user and joins the caller's trace, so the domain sees exactly the
 * caller's RequestContext (and its RLS applies).
 */
export function createSdkToolHost(options: SdkToolHostOptions): ToolHost {
  const transports = new Map<string, Transport>();
  return {
    async call(rpc, request, { caller, idempotencyKey, signal, authorization }) {
      const service = rpc.split('/')[0] ?? rpc;
      const baseUrl =
        typeof options.serviceUrl === 'function' ? options.serviceUrl(service) : options.serviceUrl;
      let transport = transports.get(baseUrl);
      if (!transport) {
        transport = createConnectTransport({ baseUrl, httpVersion: '1.1' });
        transports.set(baseUrl, transport);
      }
      const headers: Record<string, string> = {
        authorization: authorization ?? `Bearer ${await options.tokens.tokenFor(caller)}`,
      };
      if (/^[0-9a-f]{32}$/.test(caller.traceId))
        headers['traceparent'] = `00-${caller.traceId}-${'0'.repeat(15)}1-01`;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      try {
        return await callRpc(transport, rpc, request, headers, signal);
      } catch (err) {
        // A raw transport answers ConnectErrors; the runtime speaks AmeideError.
        throw fromConnectError(err);
      }
    },
  };
}
