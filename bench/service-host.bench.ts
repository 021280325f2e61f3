import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createConnectTransport } from '@connectrpc/connect-node';
import { PlatformService } from '@ameide/proto';
import {
  createEphemeralDevIdentity,
  createLogger,
  createTokenVerifier,
  startServiceHost,
} from '@ameide/server';
import { compare, report } from './lib/measure.js';

/**
 * (a) A unary call through the host's full interceptor chain (tracing, JWT
 * auth, request context, error mapping, logging) vs a bare connect-node
 * handler serving the same method, same client, same payload, same process.
 */
export async function benchServiceHost(): Promise<void> {
  const identity = await createEphemeralDevIdentity();
  const token = await identity.signToken({ tenantId: 'bench', userId: 'bench' });
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const host = await startServiceHost({
    port: 0,
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: createLogger({ primitive: { type: 'platform', name: 'bench' }, destination: sink }),
  });
  const bare = http.createServer(
    connectNodeAdapter({
      routes: (router) =>
        router.service(PlatformService, {
          whoAmI: () => ({}),
          getVersion: () => ({
            version: '0.1.0',
            services: ['ameide.platform.v1.PlatformService'],
          }),
        }),
    }),
  );
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${token}` };
  const viaHost = createClient(
    PlatformService,
    createConnectTransport({ baseUrl: host.url, httpVersion: '1.1' }),
  );
  const viaBare = createClient(
    PlatformService,
    createConnectTransport({ baseUrl: bareUrl, httpVersion: '1.1' }),
  );
  try {
    const r = await compare(
      () => viaBare.getVersion({}, { headers }),
      () => viaHost.getVersion({}, { headers }),
      { opsPerRound: 2000, concurrency: 8 },
    );
    report('unary call, bare connect-node handler', r.baseline.opsPerSec, 'calls/s', 1, 'itself');
    report(
      'unary call, full interceptor chain',
      r.candidate.opsPerSec,
      'calls/s',
      r.timeRatio,
      'bare handler (time per call)',
    );
  } finally {
    await host.close();
    await new Promise((r) => bare.close(r));
  }
}
