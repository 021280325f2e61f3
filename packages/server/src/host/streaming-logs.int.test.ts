import { Writable } from 'node:stream';
import { createClient, type Interceptor, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmeideError } from '@ameide/errors';
import { EventService } from '@ameide/proto';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  getRequestContext,
  startServiceHost,
  type DevIdentity,
  type Logger,
  type ServiceHost,
} from '@ameide/server';

class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    for (const line of chunk.toString().split('\n'))
      if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    cb();
  }
}

const TAIL = 'ameide.events.v1.EventService/TailEvents';
const logs = new LogCapture();
let identity: DevIdentity;
let logger: Logger;
let host: ServiceHost;

beforeAll(async () => {
  identity = await createEphemeralDevIdentity();
  logger = createLogger({ primitive: { type: 'domain', name: 'streams' }, destination: logs });
  host = await startServiceHost({
    port: 0,
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger,
    services: [
      (router) =>
        router.service(EventService, {
          // Logs before the first message, after an await between messages and at the end,
          // as a real tail does while it polls; `domain` names the call in the log lines.
          async *tailEvents(req, ctx) {
            const { tenantId } = getRequestContext(ctx);
            logger.info({ call: req.domain, step: 'start' }, 'tail');
            yield { position: `${tenantId}:1` };
            await new Promise((r) => setTimeout(r, 30));
            logger.info({ call: req.domain, step: 'between' }, 'tail');
            yield { position: `${tenantId}:2` };
            await new Promise((r) => setTimeout(r, 30));
            if (req.type === 'fail') throw new AmeideError('unavailable', 'source went away');
            if (req.follow) {
              // Follows until the client goes away, as `ameide events tail --follow` does.
              while (!ctx.signal.aborted) {
                yield { position: `${tenantId}:more` };
                await new Promise((r) => setTimeout(r, 10));
              }
              logger.info({ call: req.domain, step: 'client gone' }, 'tail');
              return;
            }
            logger.info({ call: req.domain, step: 'end' }, 'tail');
          },
        }),
    ],
  });
});
afterAll(() => host.close());

const traceIdOf = (n: number) => n.toString(16).padStart(32, 'a');

async function tail(
  transport: (interceptors: Interceptor[]) => Transport,
  tenantId: string,
  call: string,
  traceId: string,
  type = '',
  follow = false,
) {
  const token = await identity.signToken({ tenantId, userId: `${tenantId}-user` });
  const headers: Interceptor = (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    req.header.set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`);
    return next(req);
  };
  const client = createClient(EventService, transport([headers]));
  const positions: string[] = [];
  const abort = new AbortController();
  try {
    for await (const res of client.tailEvents(
      { domain: call, type, follow },
      { signal: abort.signal },
    )) {
      positions.push(res.position);
      // A follower stops reading after a while and goes away.
      if (res.position.endsWith(':more')) abort.abort();
    }
  } catch {
    positions.push(abort.signal.aborted ? 'aborted' : 'error');
  }
  return positions;
}

describe('log lines of server-streaming calls', () => {
  it.each([
    [
      'Connect over HTTP/1.1',
      (interceptors: Interceptor[]) =>
        createConnectTransport({ baseUrl: host.url, httpVersion: '1.1', interceptors }),
    ],
    [
      'gRPC over HTTP/2',
      (interceptors: Interceptor[]) => createGrpcTransport({ baseUrl: host.url, interceptors }),
    ],
  ])(
    'carry tenant_id and trace_id of their own call (%s), with concurrent calls of other tenants',
    async (protocol, transport) => {
      const calls = [
        { tenant: 'acme', call: `${protocol}-acme`, traceId: traceIdOf(1), type: '' },
        { tenant: 'globex', call: `${protocol}-globex`, traceId: traceIdOf(2), type: '' },
        { tenant: 'initech', call: `${protocol}-initech`, traceId: traceIdOf(3), type: 'fail' },
      ];
      const results = await Promise.all(
        calls.map((c) => tail(transport, c.tenant, c.call, c.traceId, c.type)),
      );
      expect(results).toEqual([
        ['acme:1', 'acme:2'],
        ['globex:1', 'globex:2'],
        ['initech:1', 'initech:2', 'error'],
      ]);
      for (const c of calls) {
        // The handler's own lines ...
        const inside = logs.lines.filter((l) => l['call'] === c.call);
        expect(inside.map((l) => l['step'])).toEqual(
          c.type === 'fail' ? ['start', 'between'] : ['start', 'between', 'end'],
        );
        // ... and the call line the logging interceptor writes when the stream ends.
        const callLine = logs.lines.find((l) => l['rpc'] === TAIL && l['trace_id'] === c.traceId);
        expect(callLine).toMatchObject({
          code: c.type === 'fail' ? 'unavailable' : 'ok',
          msg: c.type === 'fail' ? 'call failed' : 'call',
        });
        for (const line of [...inside, callLine])
          expect(line).toMatchObject({
            tenant_id: c.tenant,
            trace_id: c.traceId,
            primitive_type: 'domain',
            primitive_name: 'streams',
          });
      }
      const tailLines = logs.lines.filter((l) => l['rpc'] === TAIL || l['call'] !== undefined);
      for (const line of tailLines) {
        expect(line['tenant_id']).not.toBeNull();
        expect(line['trace_id']).not.toBeNull();
      }
    },
  );

  it('log a stream the client goes away from, once, with its tenant_id and trace_id', async () => {
    const traceId = traceIdOf(9);
    const transport = (interceptors: Interceptor[]) =>
      createConnectTransport({ baseUrl: host.url, httpVersion: '1.1', interceptors });
    expect(await tail(transport, 'hooli', 'follower', traceId, '', true)).toEqual([
      'hooli:1',
      'hooli:2',
      'hooli:more',
      'aborted',
    ]);
    const lines = () => logs.lines.filter((l) => l['trace_id'] === traceId);
    await expect
      .poll(() => lines().filter((l) => l['rpc'] === TAIL).length, { timeout: 5000 })
      .toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(lines().filter((l) => l['rpc'] === TAIL)).toHaveLength(1);
    for (const line of lines()) expect(line).toMatchObject({ tenant_id: 'hooli' });
    expect(
      logs.lines.filter((l) => l['call'] === 'follower').every((l) => l['trace_id'] === traceId),
    ).toBe(true);
  });
});
