import type { DescMessage } from '@bufbuild/protobuf';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { Code, ConnectError, createContextKey, createContextValues } from '@connectrpc/connect';
import {
  createAsyncIterable,
  encodeEnvelope,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from '@connectrpc/connect/protocol';
import { codeToHttpStatus, errorToJsonBytes } from '@connectrpc/connect/protocol-connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { trailerFlag, trailerParse, trailerSerialize } from '@connectrpc/connect/protocol-grpc-web';
import { AmeideError, toConnectError } from '@ameide/errors';
import { diagnoseBinary } from './diagnose-binary.js';

/** What connect-es puts before protobuf-es's message when a binary request does not parse. */
const PARSE_BINARY = 'parse binary: ';

/** The first request message's bytes as received (undefined when compressed), for diagnosis. */
export const rawRequestKey = createContextKey<(() => Uint8Array | undefined) | undefined>(
  undefined,
  { description: 'raw request message bytes' },
);

type BinaryProtocol = 'connect' | 'connect-get' | 'connect-stream' | 'grpc' | 'grpc-web';

function binaryProtocol(req: UniversalServerRequest): BinaryProtocol | undefined {
  if (req.method === 'GET') {
    return new URL(req.url).searchParams.get('encoding') === 'proto' ? 'connect-get' : undefined;
  }
  const type = req.header.get('content-type') ?? '';
  if (/^application\/proto$/i.test(type)) return 'connect';
  if (/^application\/connect\+proto$/i.test(type)) return 'connect-stream';
  if (/^application\/grpc(\+proto)?$/i.test(type)) return 'grpc';
  if (/^application\/grpc-web(\+proto)?$/i.test(type)) return 'grpc-web';
  return undefined;
}

/**
 * The `invalid_argument` error for a request message that is not valid
 * protobuf binary (`err` is connect-es's `internal` "parse binary" error),
 * naming the field when `bytes` show which one. Undefined for other errors.
 */
export function malformedBinaryError(
  schema: DescMessage,
  err: ConnectError,
  bytes: Uint8Array | undefined,
): ConnectError | undefined {
  if (err.code !== Code.Internal || !err.rawMessage.startsWith(PARSE_BINARY)) return undefined;
  const violation = bytes ? diagnoseBinary(schema, bytes) : undefined;
  const what = violation
    ? `${violation.field === '' ? '' : `${violation.field} `}${violation.description}`
    : err.rawMessage.slice(PARSE_BINARY.length);
  return toConnectError(
    AmeideError.invalidArgument(
      `request is not a valid ${schema.typeName} message: ${what}`,
      violation && violation.field !== '' ? [violation] : [],
      { reason: 'MALFORMED_REQUEST', domain: 'ameide' },
    ),
  );
}

/**
 * Wraps a connect-es handler so a unary request whose protobuf binary does not
 * parse (truncated, wrong wire types, strings that are not UTF-8) is answered
 * `invalid_argument` naming the field, in Connect, gRPC and gRPC-Web. connect-es
 * parses unary requests before any interceptor runs and answers such input
 * `internal`, although its own `Serialization.parse` contract says
 * invalid_argument; the caller sent bad bytes, the server is fine. Streamed
 * requests are parsed inside the interceptor chain, where the input-validation
 * interceptor maps the same error. The wrapper keeps a reference to the
 * request's chunks (bounded by `readMaxBytes`, which connect-es enforces) so the
 * field can be named.
 */
export function refuseMalformedBinary(handler: UniversalHandler): UniversalHandler {
  const schema = handler.method.input;
  const unary = handler.method.methodKind === 'unary';
  async function handle(req: UniversalServerRequest): Promise<UniversalServerResponse> {
    const protocol = binaryProtocol(req);
    if (protocol === undefined) return handler(req);
    const chunks: Uint8Array[] = [];
    const raw = () => firstMessage(protocol, req, chunks);
    const contextValues = req.contextValues ?? createContextValues();
    contextValues.set(rawRequestKey, raw);
    const body = isByteStream(req.body)
      ? keepChunks(req.body, chunks, protocol !== 'connect')
      : req.body;
    const res = await handler({ ...req, body, contextValues });
    if (!unary) return res;
    const mapped = (err: ConnectError) => malformedBinaryError(schema, err, raw());
    switch (protocol) {
      case 'connect':
      case 'connect-get':
        return answerConnect(res, mapped);
      case 'grpc':
        return answerGrpc(res, mapped);
      case 'grpc-web':
        return answerGrpcWeb(res, mapped);
      default:
        return res;
    }
  }
  return Object.assign(handle, {
    protocolNames: handler.protocolNames,
    service: handler.service,
    method: handler.method,
    requestPath: handler.requestPath,
    allowedMethods: handler.allowedMethods,
    supportedContentType: handler.supportedContentType,
  });
}

type Mapper = (err: ConnectError) => ConnectError | undefined;

async function answerConnect(
  res: UniversalServerResponse,
  mapped: Mapper,
): Promise<UniversalServerResponse> {
  if (res.status !== 500 || res.header?.get('content-encoding') || !res.body) return res;
  const bytes = await collect(res.body);
  let error: ConnectError | undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as {
      code?: unknown;
      message?: unknown;
    };
    if (json.code === 'internal' && typeof json.message === 'string')
      error = mapped(new ConnectError(json.message, Code.Internal));
  } catch {
    // Not a Connect error body: pass it on as it was.
  }
  if (!error) return { ...res, body: createAsyncIterable([bytes]) };
  const body = errorToJsonBytes(error, undefined);
  const header = new Headers(res.header);
  header.set('content-length', String(body.byteLength));
  return {
    ...res,
    status: codeToHttpStatus(error.code),
    header,
    body: createAsyncIterable([body]),
  };
}

function answerGrpc(res: UniversalServerResponse, mapped: Mapper): UniversalServerResponse {
  const trailer = res.trailer;
  if (!trailer) return res;
  // connect-es sets the trailer when the call fails, which for a request that
  // does not parse is before the first body chunk; checked again at the end.
  const fix = () => {
    if (trailer.get('grpc-status') !== String(Code.Internal)) return;
    const error = mapped(new ConnectError(grpcMessage(trailer), Code.Internal));
    if (error) setTrailerStatus(trailer, error);
  };
  fix();
  const body = res.body;
  if (!body) return res;
  return {
    ...res,
    body: (async function* () {
      yield* body;
      fix();
    })(),
  };
}

function answerGrpcWeb(res: UniversalServerResponse, mapped: Mapper): UniversalServerResponse {
  const body = res.body;
  if (!body) return res;
  return {
    ...res,
    body: (async function* () {
      const it = body[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done) return;
      yield rewriteTrailerFrame(first.value, mapped) ?? first.value;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    })(),
  };
}

/** A new gRPC-Web trailer frame when `chunk` is exactly a trailer frame reporting a parse failure. */
function rewriteTrailerFrame(chunk: Uint8Array, mapped: Mapper): Uint8Array | undefined {
  if (chunk.byteLength < 5 || chunk[0] !== trailerFlag) return undefined;
  const len = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(1);
  if (len !== chunk.byteLength - 5) return undefined;
  const trailer = trailerParse(chunk.subarray(5));
  if (trailer.get('grpc-status') !== String(Code.Internal)) return undefined;
  const error = mapped(new ConnectError(grpcMessage(trailer), Code.Internal));
  if (!error) return undefined;
  setTrailerStatus(trailer, error);
  return encodeEnvelope(trailerFlag, trailerSerialize(trailer));
}

function grpcMessage(trailer: Headers): string {
  const message = trailer.get('grpc-message') ?? '';
  try {
    return decodeURIComponent(message);
  } catch {
    return message;
  }
}

function firstMessage(
  protocol: BinaryProtocol,
  req: UniversalServerRequest,
  chunks: readonly Uint8Array[],
): Uint8Array | undefined {
  if (protocol === 'connect-get') {
    const query = new URL(req.url).searchParams;
    if (query.get('compression')) return undefined;
    const message = query.get('message') ?? '';
    return query.get('base64') === '1' ? base64Decode(message) : new TextEncoder().encode(message);
  }
  const all = Buffer.concat(chunks);
  if (protocol === 'connect') {
    const encoding = req.header.get('content-encoding');
    return encoding && encoding !== 'identity' ? undefined : all;
  }
  // Enveloped: flags (1 byte), length (4 bytes), message; flag 1 = compressed.
  if (all.byteLength < 5 || (all[0]! & 1) === 1) return undefined;
  return all.subarray(5, 5 + all.readUInt32BE(1));
}

function isByteStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/** Passes `body` on, keeping its chunks: all of them, or up to the end of the first envelope. */
async function* keepChunks(
  body: AsyncIterable<Uint8Array>,
  chunks: Uint8Array[],
  enveloped: boolean,
): AsyncIterable<Uint8Array> {
  let kept = 0;
  let needed = Infinity;
  for await (const chunk of body) {
    if (kept < needed) {
      chunks.push(chunk);
      kept += chunk.byteLength;
      if (enveloped && needed === Infinity && kept >= 5)
        needed = 5 + Buffer.concat(chunks).readUInt32BE(1);
    }
    yield chunk;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}
