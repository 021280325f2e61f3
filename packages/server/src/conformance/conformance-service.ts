import { create, createRegistry } from '@bufbuild/protobuf';
import { anyPack, type Any } from '@bufbuild/protobuf/wkt';
import { ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import {
  BidiStreamRequestSchema,
  ClientStreamRequestSchema,
  ConformancePayloadSchema,
  ConformancePayload_RequestInfoSchema,
  ConformanceService,
  HeaderSchema,
  IdempotentUnaryRequestSchema,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
  type ConformancePayload,
  type ConformancePayload_RequestInfo,
  type Error as ConformanceError,
  type Header,
  type StreamResponseDefinition,
  type UnaryResponseDefinition,
} from './gen/connectrpc/conformance/v1/service_pb.js';

/**
 * Request types the payloads echo back inside `google.protobuf.Any`; the JSON
 * codec needs them to write those fields.
 */
export const conformanceRegistry = createRegistry(
  UnaryRequestSchema,
  IdempotentUnaryRequestSchema,
  ServerStreamRequestSchema,
  ClientStreamRequestSchema,
  BidiStreamRequestSchema,
  ConformancePayload_RequestInfoSchema,
);

/**
 * Registers `connectrpc.conformance.v1.ConformanceService` as the conformance
 * suite specifies it: every call echoes what the server observed (headers,
 * timeout, request messages, GET query) and answers with the data, headers,
 * trailers, delays and errors its request asks for. `Unimplemented` is left out
 * on purpose, so the framework answers it.
 */
export function registerConformanceService(router: ConnectRouter): void {
  router.service(ConformanceService, {
    unary: (req, ctx) =>
      respondUnary(req.responseDefinition, [anyPack(UnaryRequestSchema, req)], ctx),
    idempotentUnary: (req, ctx) =>
      respondUnary(req.responseDefinition, [anyPack(IdempotentUnaryRequestSchema, req)], ctx),
    async clientStream(requests, ctx) {
      let def: UnaryResponseDefinition | undefined;
      const received: Any[] = [];
      for await (const req of requests) {
        // Only the first message's definition counts.
        if (received.length === 0) def = req.responseDefinition;
        received.push(anyPack(ClientStreamRequestSchema, req));
      }
      return respondUnary(def, received, ctx);
    },
    async *serverStream(req, ctx) {
      const def = req.responseDefinition;
      if (!def) return;
      addHeaders(ctx.responseHeader, def.responseHeaders);
      addHeaders(ctx.responseTrailer, def.responseTrailers);
      const received = [anyPack(ServerStreamRequestSchema, req)];
      let sent = 0;
      for (const data of def.responseData) {
        await delay(def.responseDelayMs, ctx.signal);
        yield { payload: payload(data, sent === 0 ? requestInfo(ctx, received) : undefined) };
        sent++;
      }
      if (def.error)
        throw toConnectError(def.error, sent === 0 ? requestInfo(ctx, received) : undefined);
    },
    async *bidiStream(requests, ctx) {
      let def: StreamResponseDefinition | undefined;
      let fullDuplex = false;
      let first = true;
      let sent = 0;
      // Requests not yet echoed: all of them (half duplex) or those since the
      // last response (full duplex).
      let pending: Any[] = [];
      for await (const req of requests) {
        pending.push(anyPack(BidiStreamRequestSchema, req));
        if (first) {
          first = false;
          def = req.responseDefinition;
          fullDuplex = req.fullDuplex;
          if (def) {
            addHeaders(ctx.responseHeader, def.responseHeaders);
            addHeaders(ctx.responseTrailer, def.responseTrailers);
          }
        }
        if (!fullDuplex) continue;
        const data = def?.responseData[sent];
        if (data === undefined) break;
        await delay(def?.responseDelayMs ?? 0, ctx.signal);
        const info =
          sent === 0
            ? requestInfo(ctx, pending)
            : create(ConformancePayload_RequestInfoSchema, { requests: pending });
        yield { payload: payload(data, info) };
        sent++;
        pending = [];
      }
      if (!def) return;
      // Half duplex sends everything now; full duplex sends what is left once
      // the client stopped sending.
      const info = requestInfo(ctx, pending);
      for (; sent < def.responseData.length; sent++) {
        await delay(def.responseDelayMs, ctx.signal);
        yield { payload: payload(def.responseData[sent], sent === 0 ? info : undefined) };
      }
      // The request info goes into the error only when no response carried it.
      if (def.error) throw toConnectError(def.error, sent === 0 ? info : undefined);
    },
  });
}

async function respondUnary(
  def: UnaryResponseDefinition | undefined,
  received: Any[],
  ctx: HandlerContext,
): Promise<{ payload: ConformancePayload }> {
  const info = requestInfo(ctx, received);
  if (def) {
    addHeaders(ctx.responseHeader, def.responseHeaders);
    addHeaders(ctx.responseTrailer, def.responseTrailers);
  }
  if (def?.response.case === 'error') throw toConnectError(def.response.value, info);
  if (def) await delay(def.responseDelayMs, ctx.signal);
  return {
    payload: payload(def?.response.case === 'responseData' ? def.response.value : undefined, info),
  };
}

function payload(
  data: Uint8Array | undefined,
  info: ConformancePayload_RequestInfo | undefined,
): ConformancePayload {
  return create(ConformancePayloadSchema, {
    ...(data ? { data } : {}),
    ...(info ? { requestInfo: info } : {}),
  });
}

function requestInfo(ctx: HandlerContext, requests: Any[]): ConformancePayload_RequestInfo {
  const timeoutMs = ctx.timeoutMs();
  const query = ctx.requestMethod === 'GET' ? new URL(ctx.url).searchParams : undefined;
  return create(ConformancePayload_RequestInfoSchema, {
    requestHeaders: toHeaders(ctx.requestHeader),
    requests,
    ...(timeoutMs !== undefined ? { timeoutMs: BigInt(timeoutMs) } : {}),
    ...(query && query.size > 0 ? { connectGetInfo: { queryParams: toHeaders(query) } } : {}),
  });
}

/** Headers (or query parameters) as the suite's `Header` list, repeated names grouped. */
function toHeaders(source: Headers | URLSearchParams): Header[] {
  const byName = new Map<string, string[]>();
  const add = (value: string, name: string) => {
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  };
  if (source instanceof Headers) {
    // Headers has already joined repeated fields with ", " (the suite accepts
    // that); set-cookie is the one it keeps apart.
    source.forEach((value, name) => (name === 'set-cookie' ? undefined : add(value, name)));
    for (const cookie of source.getSetCookie()) add(cookie, 'set-cookie');
  } else {
    source.forEach(add);
  }
  return [...byName].map(([name, value]) => create(HeaderSchema, { name, value }));
}

function addHeaders(target: Headers, headers: readonly Header[]): void {
  for (const h of headers) for (const v of h.value) target.append(h.name, v);
}

/**
 * The error the request asks for. Its details are `Any`s already (the suite's
 * own types), so they go out as raw type name + bytes; the request info, when
 * given, is appended as the last detail.
 */
function toConnectError(
  err: ConformanceError,
  info: ConformancePayload_RequestInfo | undefined,
): ConnectError {
  // The suite's Code enum has Connect's numbers.
  const ce = new ConnectError(err.message ?? '', err.code as number);
  const details: Any[] = [...err.details];
  if (info) details.push(anyPack(ConformancePayload_RequestInfoSchema, info));
  for (const d of details) {
    ce.details.push({ type: d.typeUrl.slice(d.typeUrl.lastIndexOf('/') + 1), value: d.value });
  }
  return ce;
}

/** Waits `ms`; a call that ends meanwhile (deadline, client gone) rejects instead of sending late. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason));
    };
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
}
