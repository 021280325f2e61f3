import {
  fromJson,
  toJson,
  ScalarType,
  type DescMessage,
  type DescMethod,
  type JsonValue,
} from '@bufbuild/protobuf';
import type { Transport } from '@connectrpc/connect';
import { ameideRegistry } from '@ameide/proto';
import { AmeideError, ErrorCode } from '@ameide/errors';

/** Looks up `package.Service/Method` in the proto module; unary methods only. */
export function findRpc(rpc: string): DescMethod & { methodKind: 'unary' } {
  const [service, method] = rpc.split('/');
  const desc = service ? ameideRegistry.getService(service) : undefined;
  const m = desc?.methods.find((x) => x.name === method);
  if (!m) {
    throw new AmeideError(ErrorCode.Unimplemented, `no RPC ${rpc} in the proto module`, {
      reason: 'RPC_NOT_FOUND',
      domain: 'ameide.sdk',
    });
  }
  if (m.methodKind !== 'unary') {
    throw new AmeideError(
      ErrorCode.Unimplemented,
      `RPC ${rpc} is ${m.methodKind}; service tasks call unary RPCs`,
      {
        reason: 'RPC_NOT_UNARY',
        domain: 'ameide.sdk',
      },
    );
  }
  return m as DescMethod & { methodKind: 'unary' };
}

/**
 * Calls a unary RPC generically: the request is proto JSON (from a FEEL mapping), the answer
 * is proto JSON with every field present and 64-bit integers as numbers when they fit, so
 * FEEL can compare them.
 */
export async function callRpc(
  transport: Transport,
  rpc: string,
  request: Record<string, unknown>,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const method = findRpc(rpc);
  let input;
  try {
    input = fromJson(method.input, request as JsonValue, {
      registry: ameideRegistry,
      ignoreUnknownFields: false,
    });
  } catch (err) {
    throw AmeideError.invalidArgument(
      `request of ${rpc} does not match ${method.input.typeName}: ${(err as Error).message}`,
      [],
      {
        reason: 'INVALID_REQUEST',
        domain: 'ameide.sdk',
      },
    );
  }
  const res = await transport.unary(method, signal, undefined, headers, input);
  const json = toJson(method.output, res.message, {
    registry: ameideRegistry,
    alwaysEmitImplicit: true,
  });
  return numbersFor(method.output, json) as Record<string, unknown>;
}

const INT64 = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
  ScalarType.SINT64,
]);

function toNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function numbersFor(desc: DescMessage, json: unknown): unknown {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const obj = { ...(json as Record<string, unknown>) };
  for (const f of desc.fields) {
    const v = obj[f.jsonName];
    if (v === undefined) continue;
    if (f.fieldKind === 'scalar' && INT64.has(f.scalar)) obj[f.jsonName] = toNumber(v);
    else if (
      f.fieldKind === 'list' &&
      f.listKind === 'scalar' &&
      INT64.has(f.scalar) &&
      Array.isArray(v)
    )
      obj[f.jsonName] = v.map(toNumber);
    else if (f.fieldKind === 'list' && f.listKind === 'message' && Array.isArray(v))
      obj[f.jsonName] = v.map((x) => numbersFor(f.message, x));
    else if (f.fieldKind === 'message') obj[f.jsonName] = numbersFor(f.message, v);
    else if (
      f.fieldKind === 'map' &&
      f.mapKind === 'message' &&
      typeof v === 'object' &&
      v !== null
    )
      obj[f.jsonName] = Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, numbersFor(f.message, x)]),
      );
  }
  return obj;
}
