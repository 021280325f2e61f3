import { fromJson, toJson, type JsonValue as ProtoJson } from '@bufbuild/protobuf';
import { durationFromMs, ValueSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext, Transport } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { getRequestContext, type Actor, type RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  createExtensionRuntime,
  type Extension,
  type ExtensionRuntime,
  type JsonValue,
} from '@ameide/extensions-runtime';
import type { ObjectStore } from '@ameide/object-store';
import type { TokenProvider } from '@ameide/process-runtime';
import { ExtensionService } from '@ameide/proto';
import type { OrderLinePricing } from '@ameide/sales';
import { callRpc } from '@ameide/sdk';
import type { ServiceRegistration } from '@ameide/server';
import {
  ArtifactKind,
  ArtifactStatus,
  ExtensionPoint,
  type ArtifactStore,
  type ExtensionRuntimeConfig,
} from '@ameide/transformation';

const DOMAIN = 'ameide.extensions';
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** How long the tenant's extension for an extension point is remembered. */
const POINT_CACHE_MS = 2_000;

/** Options of {@link createExtensionsPrimitive}. */
export interface ExtensionsPrimitiveOptions {
  /** Published ExtensionDefinitions (their pinned runtime configs). */
  readonly store: ArtifactStore;
  /** The tenants' modules. */
  readonly objects: ObjectStore;
  /** Tokens host calls carry: the caller's tenant, organisation and user. */
  readonly tokens: TokenProvider;
  /** The service host's URL, known once it listens; host calls go there. */
  readonly serviceUrl: () => string;
  /** Worker threads of the sandbox (default 2). */
  readonly poolSize?: number;
}

/** ExtensionService, the sales pricing hook, and the sandbox they share. */
export interface ExtensionsPrimitive {
  readonly routes: ServiceRegistration;
  /** The `sales.order-line-pricing` extension point, for the sales domain. */
  readonly pricing: OrderLinePricing;
  readonly runtime: ExtensionRuntime;
  close(): Promise<void>;
}

interface Resolved {
  readonly version: number;
  readonly config: ExtensionRuntimeConfig;
}

/**
 * Wires tenant extensions: ExtensionService (module upload, invocation), the
 * sales pricing extension point, and one sandbox runtime. An extension runs
 * with the caller's identity only: its host calls are RPCs to this platform
 * carrying a token for the caller's tenant and user, to methods on its
 * definition's allowlist.
 */
export function createExtensionsPrimitive(
  options: ExtensionsPrimitiveOptions,
): ExtensionsPrimitive {
  const { store, objects } = options;
  let transport: Transport | undefined;
  const runtime = createExtensionRuntime({
    poolSize: options.poolSize ?? 2,
    hostCalls: async (method, request, context) => {
      transport ??= createConnectTransport({ baseUrl: options.serviceUrl(), httpVersion: '1.1' });
      const headers: Record<string, string> = {
        authorization: `Bearer ${await options.tokens.tokenFor(context)}`,
      };
      // The host call joins the caller's trace (a new span id of its own is the host's job).
      if (/^[0-9a-f]{32}$/.test(context.traceId))
        headers['traceparent'] = `00-${context.traceId}-${'0'.repeat(15)}1-01`;
      return (await callRpc(
        transport,
        method,
        request as Record<string, unknown>,
        headers,
      )) as JsonValue;
    },
  });

  const resolve = async (actor: Actor, name: string, version: number | 'latest') => {
    const published = await store.getPublishedPlan(
      { tenantId: actor.tenantId, userId: actor.userId },
      { kind: ArtifactKind.ExtensionDefinition, name },
      version,
    );
    return {
      version: published.version.version,
      config: JSON.parse(new TextDecoder().decode(published.plan)) as ExtensionRuntimeConfig,
    } satisfies Resolved;
  };

  const run = async (context: RequestContext, r: Resolved, input: JsonValue) => {
    const { config } = r;
    const extension: Extension = {
      name: config.name,
      version: String(r.version),
      hash: config.module.sha256,
      module: () => objects.get(context.tenantId, config.module.sha256),
      limits: config.limits,
      allowedHostCalls: config.allowedHostCalls,
      entryPoint: config.entryPoint,
    };
    return runtime.invoke({ extension, input, context });
  };

  // The tenant's extension for an extension point: the first published
  // definition (by name) that implements it, remembered for a moment.
  const pointCache = new Map<string, { at: number; found: Resolved | undefined }>();
  const forPoint = async (actor: Actor, point: ExtensionPoint): Promise<Resolved | undefined> => {
    const key = `${actor.tenantId}\u0000${point}`;
    const hit = pointCache.get(key);
    if (hit && Date.now() - hit.at < POINT_CACHE_MS) return hit.found;
    let found: Resolved | undefined;
    let pageToken = '';
    const who = { tenantId: actor.tenantId, userId: actor.userId };
    search: do {
      const page = await store.list(who, {
        kind: ArtifactKind.ExtensionDefinition,
        pageSize: 100,
        pageToken,
      });
      const names = page.artifacts
        .filter((a) => a.latestPublishedVersion > 0 && a.status !== ArtifactStatus.Archived)
        .map((a) => a.name)
        .sort();
      for (const name of names) {
        const r = await resolve(actor, name, 'latest');
        if (r.config.extensionPoints.includes(point)) {
          found = r;
          break search;
        }
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (pointCache.size > 10_000) pointCache.clear();
    pointCache.set(key, { at: Date.now(), found });
    return found;
  };

  const pricing: OrderLinePricing = {
    async price(ctx, line) {
      const caller = ctx.caller;
      if (!caller) {
        // Extensions act only as a caller; a command without one is a wiring bug.
        throw new AmeideError(
          ErrorCode.Unauthenticated,
          'order line pricing: the command carries no caller to run the extension as',
          { reason: 'NO_CALLER', domain: DOMAIN },
        );
      }
      const r = await forPoint(caller, ExtensionPoint.SalesOrderLinePricing);
      if (!r) return undefined;
      const result = await run({ ...caller, traceId: ctx.correlationId }, r, {
        orderId: line.orderId,
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: {
          currency: line.unitPrice.currency,
          amountMinor: line.unitPrice.amountMinor.toString(),
        },
      });
      const source = `extension ${r.config.name} v${r.version} (module ${r.config.module.sha256.slice(0, 12)})`;
      return { unitPriceMinor: pricedMinor(result.output, source), source };
    },
  };

  const routes: ServiceRegistration = (router: ConnectRouter) =>
    router.service(ExtensionService, {
      async putExtensionModule(req, ctx: HandlerContext) {
        const rc = getRequestContext(ctx);
        if (req.module.byteLength < 8 || WASM_MAGIC.some((b, i) => req.module[i] !== b)) {
          throw AmeideError.invalidArgument(
            'module is not a WebAssembly binary (it does not start with \\0asm)',
            [{ field: 'module', description: 'a .wasm file, e.g. from ameide extension build' }],
          );
        }
        const stored = await objects.put(rc.tenantId, req.module, {
          contentType: 'application/wasm',
        });
        return { sha256: stored.hash, sizeBytes: BigInt(stored.size) };
      },
      async invokeExtension(req, ctx: HandlerContext) {
        const rc = getRequestContext(ctx);
        if (!req.name) {
          throw AmeideError.invalidArgument('name is required', [
            { field: 'name', description: 'the ExtensionDefinition to run' },
          ]);
        }
        if (req.version < 0) {
          throw AmeideError.invalidArgument('version must be 0 (latest) or a published version', [
            { field: 'version', description: `got ${req.version}` },
          ]);
        }
        const r = await resolve(rc, req.name, req.version === 0 ? 'latest' : req.version);
        const input = req.input ? (toJson(ValueSchema, req.input) as JsonValue) : null;
        const started = performance.now();
        const result = await run(rc, r, input);
        return {
          output: fromJson(ValueSchema, result.output as ProtoJson),
          version: r.version,
          moduleSha256: r.config.module.sha256,
          duration: durationFromMs(Math.round(performance.now() - started)),
        };
      },
    });

  return { routes, pricing, runtime, close: () => runtime.close() };
}

/** The pricing extension point's output: `{"unitPriceMinor": "<integer>"}`. */
function pricedMinor(output: JsonValue, source: string): bigint {
  const value =
    output !== null && typeof output === 'object' && !Array.isArray(output)
      ? (output as { readonly [key: string]: JsonValue })['unitPriceMinor']
      : undefined;
  if (
    (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  ) {
    return BigInt(value);
  }
  throw new AmeideError(
    ErrorCode.FailedPrecondition,
    `${source} answered ${JSON.stringify(output).slice(0, 200)}; the pricing extension point expects {"unitPriceMinor": "<integer>"}`,
    { reason: 'EXTENSION_OUTPUT_INVALID', domain: DOMAIN },
  );
}
