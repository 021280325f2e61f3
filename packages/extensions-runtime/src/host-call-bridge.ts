import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
import type { JsonValue } from './json-value.js';

/**
 * The one way a guest reaches the platform: performs `method` (a proto method name such as
 * `ameide.sales.v1.SalesService/GetOrder`) with the caller's `context`, never with privileges
 * of its own. The host implements it, e.g. with an SDK client that carries the caller's token.
 * A rejection with an AmeideError reaches the guest as `{"error":{"code","message"}}`.
 */
export type HostCallPort = (
  method: string,
  request: JsonValue,
  context: RequestContext,
) => Promise<JsonValue>;

/** What the bridge decided about one host call. */
export type HostCallDecision = { readonly reply: Uint8Array } | { readonly refused: AmeideError };

/** Everything the bridge needs to decide one host call. */
export interface HostCallRequest {
  /** `name@version`, for messages. */
  readonly extension: string;
  readonly method: string;
  /** The request as the guest sent it (JSON text). */
  readonly request: string;
  readonly allowedHostCalls: readonly string[];
  readonly context: RequestContext;
  readonly port: HostCallPort | undefined;
  readonly maxReplyBytes: number;
}

// Field names under which a request could name a tenant (proto JSON and snake case).
const tenantFields = new Set(['tenantId', 'tenant_id']);

const encoder = new TextEncoder();

/**
 * Decides one guest host call. Refused (the invocation ends with `permission_denied`): a method
 * not on the extension's allowlist, and a request that names a tenant other than the caller's
 * (any `tenantId` / `tenant_id` field, at any depth). Everything else goes to the port with the
 * invocation's own RequestContext; its answer, or its error, becomes the guest's reply envelope
 * `{"ok": <reply>}` / `{"error": {"code", "message"}}`, capped at `maxReplyBytes`.
 */
export async function bridgeHostCall(call: HostCallRequest): Promise<HostCallDecision> {
  const domain = 'ameide.extensions';
  if (!call.allowedHostCalls.includes(call.method)) {
    return {
      refused: new AmeideError(
        ErrorCode.PermissionDenied,
        `extension ${call.extension} called host method "${call.method}", which is not on its allowlist (${call.allowedHostCalls.join(', ') || 'empty'})`,
        {
          reason: 'HOST_CALL_NOT_ALLOWED',
          domain,
          metadata: { extension: call.extension, method: call.method },
        },
      ),
    };
  }
  let request: JsonValue;
  try {
    request = JSON.parse(call.request) as JsonValue;
  } catch {
    return {
      refused: new AmeideError(
        ErrorCode.FailedPrecondition,
        `extension ${call.extension} sent host method "${call.method}" a request that is not JSON`,
        {
          reason: 'HOST_CALL_BAD_REQUEST',
          domain,
          metadata: { extension: call.extension, method: call.method },
        },
      ),
    };
  }
  const foreign = foreignTenant(request, call.context.tenantId);
  if (foreign !== undefined) {
    return {
      refused: new AmeideError(
        ErrorCode.PermissionDenied,
        `extension ${call.extension} asked host method "${call.method}" for tenant "${foreign}" while running for tenant "${call.context.tenantId}"`,
        {
          reason: 'HOST_CALL_CROSS_TENANT',
          domain,
          metadata: { extension: call.extension, method: call.method },
        },
      ),
    };
  }
  let envelope: JsonValue;
  if (call.port === undefined) {
    envelope = {
      error: {
        code: ErrorCode.Unavailable,
        message: `no host calls here: this runtime has no platform to perform "${call.method}"`,
      },
    };
  } else {
    try {
      envelope = { ok: await call.port(call.method, request, call.context) };
    } catch (err) {
      // AmeideErrors are the platform's answer to the caller and may be shown; anything else is
      // a host bug whose text must not leak into tenant code.
      envelope = isAmeideError(err)
        ? { error: { code: err.code, message: err.message } }
        : { error: { code: ErrorCode.Internal, message: 'internal error' } };
    }
  }
  let reply = encoder.encode(JSON.stringify(envelope));
  if (reply.byteLength > call.maxReplyBytes) {
    reply = encoder.encode(
      JSON.stringify({
        error: {
          code: ErrorCode.ResourceExhausted,
          message: `the reply of "${call.method}" is ${reply.byteLength} bytes, more than the ${call.maxReplyBytes} a host call may return`,
        },
      }),
    );
  }
  return { reply };
}

/** The first tenant named in `value` that is not `tenantId`, if any. */
function foreignTenant(value: JsonValue, tenantId: string): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value as readonly JsonValue[]) {
      const f = foreignTenant(v, tenantId);
      if (f !== undefined) return f;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (tenantFields.has(k) && v !== tenantId) return typeof v === 'string' ? v : JSON.stringify(v);
    const f = foreignTenant(v, tenantId);
    if (f !== undefined) return f;
  }
  return undefined;
}
