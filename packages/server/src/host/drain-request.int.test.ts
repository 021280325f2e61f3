import http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { startServiceHost, type ServiceHost } from '../host/service-host.js';
import { createLogger } from '../logging/logger.js';
import { registerConformanceService } from '../conformance/conformance-service.js';

// A call refused on its first message (over the size limit) while the client
// is still uploading: the host must read and discard the rest of the body, or
// an HTTP/2 client stays blocked on a full flow-control window and an HTTP/1.1
// connection stalls behind the unread bytes.

const limit = 64 * 1024;
const path = '/connectrpc.conformance.v1.ConformanceService/ClientStream';
let host: ServiceHost;

beforeAll(async () => {
  host = await startServiceHost({
    port: 0,
    verifier: {
      verify: () => Promise.reject(new AmeideError(ErrorCode.Unauthenticated, 'no tokens')),
    },
    authentication: { anonymousClaims: { sub: 'drain-test', tenantId: 'drain-test' } },
    logger: createLogger({ primitive: { type: 'platform', name: 'drain-test' }, level: 'silent' }),
    services: [registerConformanceService],
    readMaxBytes: limit,
  });
});
afterAll(() => host.close());

/** One Connect streaming envelope whose message is `size` zero bytes (over the limit). */
function oversizedEnvelope(size: number): Buffer {
  const envelope = Buffer.alloc(5 + size);
  envelope.writeUInt32BE(size, 1);
  return envelope;
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

it('h2c: the refused upload completes and the stream closes', async () => {
  const session = http2.connect(host.url);
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/connect+proto',
    });
    let body = '';
    stream.on('data', (d: Buffer) => (body += d.toString('latin1')));
    // Several flow-control windows (64 KiB each) behind the refused message.
    stream.end(oversizedEnvelope(8 * limit));
    await within(5_000, 'h2 stream close', new Promise((resolve) => stream.once('close', resolve)));
    expect(body).toContain('resource_exhausted');
    expect(stream.rstCode).toBe(http2.constants.NGHTTP2_NO_ERROR);
  } finally {
    session.close();
  }
});

it('HTTP/1.1: the connection serves the next request after the refused one', async () => {
  const socket = net.connect(host.port, '127.0.0.1');
  try {
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const body = oversizedEnvelope(8 * limit);
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/connect+proto\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
    // The next request on the same connection sits behind the first one's body.
    socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n');
    await within(
      5_000,
      'second response',
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.includes('{"status":"ok"}')) resolve();
          else socket.once('data', check);
        };
        check();
      }),
    );
    expect(received).toContain('resource_exhausted');
  } finally {
    socket.destroy();
  }
});
