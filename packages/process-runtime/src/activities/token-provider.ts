import type { InstanceActor } from '../workflow/types.js';

/**
 * Gives the worker a bearer token for an instance's tenant and user, so service tasks call
 * domains with the instance's RequestContext. Production: a token exchange at the identity
 * provider (the worker's client credentials + `act`/`sub` of the user); embedded mode: the
 * dev signing key.
 */
export interface TokenProvider {
  tokenFor(actor: InstanceActor): Promise<string>;
}

export interface DevTokenProviderOptions {
  /** Token lifetime (seconds); tokens are reused until 60 s before expiry. Default 900. */
  readonly ttlSec?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/**
 * What {@link createDevTokenProvider} needs of a signing key: the service host's `DevIdentity`
 * (`@ameide/server`) fits, so the runtime does not depend on the host for one method.
 */
export interface TokenSigner {
  signToken(claims: {
    readonly tenantId: string;
    readonly orgId?: string;
    readonly userId: string;
    readonly ttlSec: number;
  }): Promise<string>;
}

/** A TokenProvider signing with the embedded mode's dev key (a `DevIdentity`). */
export function createDevTokenProvider(
  identity: TokenSigner,
  options: DevTokenProviderOptions = {},
): TokenProvider {
  const ttlSec = options.ttlSec ?? 900;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: string; expiresAt: number }>();
  return {
    async tokenFor(actor) {
      const key = `${actor.tenantId}\u0000${actor.orgId}\u0000${actor.userId}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt - 60_000 > now()) return hit.token;
      const token = await identity.signToken({
        tenantId: actor.tenantId,
        ...(actor.orgId ? { orgId: actor.orgId } : {}),
        userId: actor.userId,
        ttlSec,
      });
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { token, expiresAt: now() + ttlSec * 1000 });
      return token;
    },
  };
}
