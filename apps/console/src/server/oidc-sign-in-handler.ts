import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';

/** Where the console's "Sign in with your organisation" starts: `GET /auth/login?tenant=<id>`. */
export const OIDC_LOGIN_PATH = '/auth/login';
/** Where the issuer sends the browser back with the code. */
export const OIDC_CALLBACK_PATH = '/auth/callback';
/** The console's OAuth client in every tenant realm (TenantService creates it). */
export const CONSOLE_CLIENT_ID = 'ameide-console';

/** Options of {@link createOidcSignInHandler}. */
export interface OidcSignInOptions {
  /** The OIDC issuer of a tenant (its realm), or undefined when the tenant signs in elsewhere. */
  readonly issuerOf: (tenantId: string) => Promise<string | undefined>;
  readonly clientId?: string;
}

interface Pending {
  readonly issuer: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly at: number;
}

const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1_000;

/**
 * The console's sign-in at a tenant's OIDC issuer (its Keycloak realm) with the authorization
 * code flow and PKCE (S256), run by the platform's host: `/auth/login?tenant=acme` redirects
 * to the realm with a fresh code challenge and state; `/auth/callback` checks the state,
 * redeems the code with the verifier (openid-client) and hands the access token to the
 * console in the URL fragment (`/#oidc-token=…`, never sent to a server), which then asks
 * WhoAmI as for every sign-in. Returns `true` when it handled the request.
 */
export function createOidcSignInHandler(
  options: OidcSignInOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const clientId = options.clientId ?? CONSOLE_CLIENT_ID;
  const pending = new Map<string, Pending>();
  const configs = new Map<string, Promise<oidc.Configuration>>();
  const configOf = (issuer: string) => {
    let c = configs.get(issuer);
    if (!c) {
      const url = new URL(issuer);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      c = oidc.discovery(
        url,
        clientId,
        undefined,
        oidc.None(),
        loopback && url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {},
      );
      c.catch(() => configs.delete(issuer));
      configs.set(issuer, c);
    }
    return c;
  };
  const prune = () => {
    const now = Date.now();
    for (const [state, p] of pending) if (now - p.at > PENDING_TTL_MS) pending.delete(state);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== OIDC_LOGIN_PATH && url.pathname !== OIDC_CALLBACK_PATH) return false;
    if (req.method !== 'GET') {
      page(res, 405, 'Use GET.');
      return true;
    }
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    void (async () => {
      if (url.pathname === OIDC_LOGIN_PATH) {
        const tenant = url.searchParams.get('tenant')?.trim() ?? '';
        if (tenant === '') return page(res, 400, 'Say which tenant to sign in to (?tenant=<id>).');
        const issuer = await options.issuerOf(tenant);
        if (!issuer)
          return page(
            res,
            404,
            `Tenant ${tenant} has no sign-in here: it is unknown, not active, or signs in with a token.`,
          );
        const config = await configOf(issuer);
        const verifier = oidc.randomPKCECodeVerifier();
        const state = randomBytes(16).toString('base64url');
        const redirectUri = `${origin}${OIDC_CALLBACK_PATH}`;
        prune();
        pending.set(state, { issuer, verifier, redirectUri, at: Date.now() });
        const target = oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
        });
        res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      const state = url.searchParams.get('state') ?? '';
      const p = pending.get(state);
      if (!p) return page(res, 400, 'This sign-in expired or was already used: start again.');
      pending.delete(state);
      const error = url.searchParams.get('error');
      if (error)
        return page(
          res,
          401,
          `Sign-in refused: ${url.searchParams.get('error_description') ?? error}`,
        );
      const config = await configOf(p.issuer);
      const callback = new URL(`${p.redirectUri}${url.search}`);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: p.verifier,
        expectedState: state,
      });
      res.writeHead(302, {
        location: `/#oidc-token=${encodeURIComponent(tokens.access_token)}`,
        'cache-control': 'no-store',
      });
      res.end();
    })().catch((err: unknown) => page(res, 502, `Sign-in failed: ${(err as Error).message}`));
    return true;
  };
}

function page(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  const text = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Ameide sign-in</title><p role="alert">${text}</p><p><a href="/">Back to the console</a></p>`,
  );
}
