// Connect protocol calls over plain fetch, so a test can send any bytes as a
// request (JSON that does not match the schema, binary that does not parse)
// and read the answer's code the way every Connect client would.

/** The outcome of one call: HTTP status and Connect code (`ok` on success). */
export interface CallOutcome {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly ms: number;
  /** The response message of a successful JSON call. */
  readonly response?: unknown;
}

export interface CallOptions {
  readonly baseUrl: string;
  /** `/<service>/<method>`. */
  readonly path: string;
  readonly token: string;
  readonly format: 'json' | 'proto';
  readonly body: Uint8Array;
  /** A time limit for the whole call; past it the outcome is `client_timeout`. */
  readonly clientTimeoutMs: number;
}

/** A unary call: the body is the message itself. */
export async function callUnary(options: CallOptions): Promise<CallOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(`${options.baseUrl}${options.path}`, {
      method: 'POST',
      headers: {
        'content-type': `application/${options.format}`,
        'connect-protocol-version': '1',
        authorization: `Bearer ${options.token}`,
      },
      body: options.body,
      signal: AbortSignal.timeout(options.clientTimeoutMs),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) return { status: res.status, ...errorOf(bytes, res.status), ms: ms() };
    const response: unknown =
      options.format === 'json' ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: res.status, code: 'ok', message: '', ms: ms(), response };
  } catch (err) {
    return { status: 0, ...clientFailure(err), ms: ms() };
  }
}

/**
 * A server-streaming call: the body is one enveloped message; the server is
 * asked to end the call after `deadlineMs` (`connect-timeout-ms`), and the
 * outcome is the end-stream error's code, or `ok`.
 */
export async function callServerStream(
  options: CallOptions & { readonly deadlineMs: number },
): Promise<CallOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(`${options.baseUrl}${options.path}`, {
      method: 'POST',
      headers: {
        'content-type': `application/connect+${options.format}`,
        'connect-protocol-version': '1',
        'connect-timeout-ms': String(options.deadlineMs),
        authorization: `Bearer ${options.token}`,
      },
      body: envelope(0, options.body),
      signal: AbortSignal.timeout(options.clientTimeoutMs),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (!res.ok) return { status: res.status, ...errorOf(bytes, res.status), ms: ms() };
    for (const frame of frames(bytes)) {
      if ((frame.flags & 0x02) === 0) continue;
      const end = JSON.parse(frame.data.toString('utf8')) as {
        error?: { code?: string; message?: string };
      };
      if (!end.error) return { status: res.status, code: 'ok', message: '', ms: ms() };
      return {
        status: res.status,
        code: end.error.code ?? 'unknown',
        message: end.error.message ?? '',
        ms: ms(),
      };
    }
    return {
      status: res.status,
      code: 'no_end_stream',
      message: 'stream ended without end-stream',
      ms: ms(),
    };
  } catch (err) {
    return { status: 0, ...clientFailure(err), ms: ms() };
  }
}

/** A Connect envelope: flags, big-endian length, data. */
export function envelope(flags: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(data.byteLength, 1);
  return Buffer.concat([head, data]);
}

function* frames(bytes: Buffer): Generator<{ flags: number; data: Buffer }> {
  for (let at = 0; at + 5 <= bytes.byteLength;) {
    const len = bytes.readUInt32BE(at + 1);
    yield { flags: bytes[at]!, data: bytes.subarray(at + 5, at + 5 + len) };
    at += 5 + len;
  }
}

function errorOf(bytes: Buffer, status: number): { code: string; message: string } {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { code?: unknown; message?: unknown };
    return {
      code: typeof json.code === 'string' ? json.code : `http_${status}`,
      message: typeof json.message === 'string' ? json.message : '',
    };
  } catch {
    return { code: `http_${status}`, message: bytes.subarray(0, 200).toString('utf8') };
  }
}

function clientFailure(err: unknown): { code: string; message: string } {
  const e = err as Error;
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return { code: 'client_timeout', message: e.message };
  return {
    code: 'transport_error',
    message: `${e.message} ${String((e.cause as Error | undefined)?.message ?? '')}`,
  };
}
