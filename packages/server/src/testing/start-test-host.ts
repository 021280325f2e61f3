import { createEphemeralDevIdentity, type DevIdentity } from '../auth/dev-identity.js';
import { createTokenVerifier } from '../auth/token-verifier.js';
import {
  startServiceHost,
  type ServiceHost,
  type ServiceHostOptions,
} from '../host/service-host.js';
import type { PrimitiveIdentity } from '../logging/logger.js';
import { createSilentLogger } from './silent-logger.js';

/** What a test client factory gets: the host's URL and a token for one caller. */
export interface TestClientOptions {
  readonly baseUrl: string;
  readonly token: string;
}

/** Options of {@link startTestHost}: the host's, minus what a test host decides itself. */
export interface TestHostOptions<C> extends Omit<
  ServiceHostOptions,
  'verifier' | 'port' | 'hostname'
> {
  /** Names the primitive in logs (default `{ type: 'platform', name: 'test' }`). */
  readonly primitive?: PrimitiveIdentity;
  /** The signing key tokens are made with and verified against (default: a fresh one). */
  readonly identity?: DevIdentity;
  /**
   * Makes a client for one caller, e.g. `createAmeideClient` from `@ameide/sdk` (which this
   * package cannot depend on) or a Connect client of one service.
   */
  readonly client?: (options: TestClientOptions) => C;
}

/** A service host on a free port that trusts one dev identity, and clients per caller. */
export interface TestHost<C> {
  readonly host: ServiceHost;
  readonly url: string;
  readonly identity: DevIdentity;
  /** A token for `tenantId` (user `<tenantId>-user` unless given). */
  tokenFor(tenantId: string, userId?: string, groups?: readonly string[]): Promise<string>;
  /** A client (made by `options.client`) calling as that user of `tenantId`. */
  clientFor(tenantId: string, userId?: string, groups?: readonly string[]): Promise<C>;
  close(): Promise<void>;
}

/**
 * Starts a service host for tests: a free port on 127.0.0.1, a verifier that trusts
 * `identity` (an ephemeral dev key by default), logs dropped unless `logger` is given.
 *
 * @example
 * const test = await startTestHost({ services: [salesServiceRoutes({ domain })], client: createAmeideClient });
 * const acme = await test.clientFor('acme');
 */
export async function startTestHost<C = never>(
  options: TestHostOptions<C> = {},
): Promise<TestHost<C>> {
  const { identity: given, client, primitive, ...hostOptions } = options;
  const identity = given ?? (await createEphemeralDevIdentity());
  const host = await startServiceHost({
    ...hostOptions,
    ...(primitive ? { primitive } : {}),
    port: 0,
    hostname: '127.0.0.1',
    verifier: createTokenVerifier({
      issuer: identity.issuer,
      audience: identity.audience,
      jwks: identity.jwks,
    }),
    logger: options.logger ?? createSilentLogger(primitive),
  });
  const tokenFor = (tenantId: string, userId = `${tenantId}-user`, groups?: readonly string[]) =>
    identity.signToken({ tenantId, userId, ...(groups ? { groups } : {}) });
  return {
    host,
    url: host.url,
    identity,
    tokenFor,
    async clientFor(tenantId, userId, groups) {
      if (!client) throw new Error('startTestHost: pass `client` to use clientFor');
      return client({ baseUrl: host.url, token: await tokenFor(tenantId, userId, groups) });
    },
    close: () => host.close(),
  };
}
