import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevIdentity } from '@ameide/server';
import { createConsoleHandler } from './console-handler.js';
import { createDevTokenHandler } from './dev-token-handler.js';
import { createOidcSignInHandler } from './oidc-sign-in-handler.js';

/** A handler of the host's fallback chain: `true` when it answered the request. */
export type FallbackHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Options of {@link createConsoleFallback}. */
export interface ConsoleFallbackOptions {
  /** The embedded mode's signing key: the dev sign-in (`POST /dev/token`) signs with it. */
  readonly identity: DevIdentity;
  /** The console's Vite build (`consoleDistDir`, or what `buildConsole` returned). */
  readonly distDir: string;
  /**
   * Tried after the sign-in endpoints and before the console's files, which answer every other
   * GET (`ameide dev`: the built UISurfaces under their base paths).
   */
  readonly before?: readonly FallbackHandler[];
}

/** The console's part of the host: its `httpFallback`, and where tenants sign in. */
export interface ConsoleFallback {
  /** The service host's `httpFallback`: anything the handlers do not answer is 404. */
  readonly httpFallback: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Where a tenant's realm is, for the sign-in at it (`/auth/login?tenant=`): the platform's
   * `tenantIssuer`, known once the platform runs. Until then every tenant signs in elsewhere.
   */
  tenantIssuers(issuerOf: (tenantId: string) => Promise<string | undefined>): void;
}

/**
 * What the platform's host serves beside the RPCs when it serves the console, the same for
 * `ameide dev` and the console's e2e platform: the dev sign-in, the sign-in at a tenant's realm
 * (authorization code + PKCE), `before`, then the console's files.
 */
export function createConsoleFallback(options: ConsoleFallbackOptions): ConsoleFallback {
  let issuerOf: ((tenantId: string) => Promise<string | undefined>) | undefined;
  const handlers: FallbackHandler[] = [
    createDevTokenHandler(options.identity),
    createOidcSignInHandler({
      issuerOf: (tenantId) => issuerOf?.(tenantId) ?? Promise.resolve(undefined),
    }),
    ...(options.before ?? []),
    createConsoleHandler({ distDir: options.distDir }),
  ];
  return {
    httpFallback(req, res) {
      for (const handle of handlers) if (handle(req, res)) return;
      res.statusCode = 404;
      res.end();
    },
    tenantIssuers(of) {
      issuerOf = of;
    },
  };
}
