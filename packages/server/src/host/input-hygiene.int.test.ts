import http2 from 'node:http2';
import { Writable } from 'node:stream';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerService, EventService } from '@ameide/proto';
import {
  createLogger,
  createTokenVerifier,
  devIdentityFromJwk,
  startServiceHost,
  type ServiceHost,
} from '@ameide/server';

// The host's answers to input no handler should see: protobuf binary that does
// not parse (strings that are not UTF-8), JSON that is not UTF-8, control
// characters, and odd token claims. Each is `invalid_argument` in every
// protocol, never `internal`, and never reaches the handler.

let host: ServiceHost;
let token: string;
let signRaw: (claims: Record<string, unknown>) => Promise<string>;
const reached: string[] = [];

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'hygiene' };
  const identity = await devIdentityFromJwk(jwk);
  signRaw = (claims) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'hygiene' })
      .setIssuer(identity.issuer)
      .setAudience(identity.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  token = await identity.signToken({ tenantId: 'hygiene' });
  host = await startServiceHost({
    port: 0,
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: createLogger({
      primitive: { type: 'platform', name: 'hygiene' },
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    services: [
      (router) => {
        router.service(CustomerService, {
          createCustomer(req) {
            reached.push(`createCustomer ${req.name}`);
            return {};
          },
        });
        router.service(EventService, {
          // eslint-disable-next-line require-yield, @typescript-eslint/require-await
          async *tailEvents(req) {
            reached.push(`tailEvents ${req.domain}`);
          },
        });
      },
    ],
  });
});
afterAll(() => host.close());

const createCustomer = '/ameide.sales.v1.CustomerService/CreateCustomer';
/** CreateCustomerRequest { name: <bytes that are not UTF-8>, email: "a@b.c" }. */
const badName = new BinaryWriter()
  .tag(1, WireType.LengthDelimited)
  .bytes(new Uint8Array([0x41, 0xff, 0x42]))
  .tag(2, WireType.LengthDelimited)
  .string('a@b.c')
  .finish();
const expectedMessage =
  'request is not a valid ameide.sales.v1.CreateCustomerRequest message: name is not valid UTF-8';

function envelope(flags: number, data: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(data.byteLength, 1);
  return Buffer.concat([head, data]);
}

async function post(path: string, contentType: string, body: Uint8Array, auth = true) {
  const res = await fetch(`${host.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(auth ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

describe('protobuf binary that does not parse', () => {
  it('Connect: invalid_argument naming the field that is not UTF-8', async () => {
    reached.length = 0;
    const res = await post(createCustomer, 'application/proto', badName);
    expect(res.status).toBe(400);
    const json = JSON.parse(res.body.toString()) as { code: string; message: string };
    expect(json).toMatchObject({ code: 'invalid_argument', message: expectedMessage });
    expect(reached).toEqual([]);
  });

  it('Connect: a truncated message is invalid_argument too, even before authentication', async () => {
    const res = await post(
      createCustomer,
      'application/proto',
      new Uint8Array([0x0a, 0x09]),
      false,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'invalid_argument' });
  });

  it('gRPC: grpc-status 3 with the field named', async () => {
    reached.length = 0;
    const session = http2.connect(host.url);
    try {
      const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({
          ':method': 'POST',
          ':path': createCustomer,
          'content-type': 'application/grpc',
          te: 'trailers',
          authorization: `Bearer ${token}`,
        });
        let headers: http2.IncomingHttpHeaders = {};
        stream.on('response', (h) => (headers = h));
        stream.on('trailers', resolve);
        stream.on('error', reject);
        // A trailers-only answer carries the status in the headers.
        stream.on('end', () => resolve(headers));
        stream.resume();
        stream.end(envelope(0, badName));
      });
      expect(trailers['grpc-status']).toBe('3');
      expect(decodeURIComponent(String(trailers['grpc-message']))).toBe(expectedMessage);
    } finally {
      session.close();
    }
    expect(reached).toEqual([]);
  });

  it('gRPC-Web: a trailer frame with grpc-status 3 and the field named', async () => {
    const res = await post(createCustomer, 'application/grpc-web+proto', envelope(0, badName));
    expect(res.status).toBe(200);
    expect(res.body[0]).toBe(0x80);
    const trailer = res.body.subarray(5).toString();
    expect(trailer).toMatch(/grpc-status: 3\r\n/);
    expect(decodeURIComponent(/grpc-message: (.*)\r\n/.exec(trailer)![1]!)).toBe(expectedMessage);
  });

  it('Connect server stream: the end-stream error names the field', async () => {
    reached.length = 0;
    const tail = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .bytes(new Uint8Array([0xc3, 0x28]))
      .finish();
    const res = await post(
      '/ameide.events.v1.EventService/TailEvents',
      'application/connect+proto',
      envelope(0, tail),
    );
    expect(res.status).toBe(200);
    expect(res.body[0]).toBe(0x02);
    const end = JSON.parse(res.body.subarray(5).toString()) as {
      error: { code: string; message: string };
    };
    expect(end.error).toMatchObject({
      code: 'invalid_argument',
      message:
        'request is not a valid ameide.events.v1.TailEventsRequest message: domain is not valid UTF-8',
    });
    expect(reached).toEqual([]);
  });
});

describe('JSON requests', () => {
  it('refuses a body that is not UTF-8 instead of storing U+FFFD', async () => {
    reached.length = 0;
    const body = Buffer.concat([
      Buffer.from('{"name":"A'),
      Buffer.from([0xff]),
      Buffer.from('B","email":"a@b.c"}'),
    ]);
    const res = await post(createCustomer, 'application/json', body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({
      code: 'invalid_argument',
      message: 'request body is not valid UTF-8 (JSON text must be UTF-8)',
    });
    expect(reached).toEqual([]);
  });

  it('refuses NUL in a string with invalid_argument naming the field', async () => {
    reached.length = 0;
    const res = await post(
      createCustomer,
      'application/json',
      Buffer.from(JSON.stringify({ name: 'Ada\u0000', email: 'a@b.c' })),
    );
    expect(res.status).toBe(400);
    const json = JSON.parse(res.body.toString()) as { code: string; message: string };
    expect(json.code).toBe('invalid_argument');
    expect(json.message).toBe(
      'invalid CreateCustomerRequest: name must not contain control characters (U+0000 at index 3)',
    );
    expect(reached).toEqual([]);
  });
});

describe('odd token claims', () => {
  it.each([42, { id: 'x' }, ['a']])('WhoAmI with sub %j answers without failing', async (sub) => {
    const odd = await signRaw({ tenantId: 'hygiene', sub });
    const res = await fetch(`${host.url}/ameide.platform.v1.PlatformService/WhoAmI`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${odd}` },
      body: '{}',
    });
    // The verifier may refuse a token whose subject is not a string; it must never be a 500.
    expect([200, 401]).toContain(res.status);
    const json = (await res.json()) as { context?: { userId?: string }; code?: string };
    if (res.status === 200) expect(json.context?.userId ?? '').toBe('');
    else expect(json.code).toBe('unauthenticated');
  });
});
