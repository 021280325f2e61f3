import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as oidc from 'openid-client';

/** What `ameide login --issuer` keeps to refresh the access token (`<home>/oidc-session.json`, mode 0600). */
interface OidcSession {
  readonly issuer: string;
  readonly clientId: string;
  readonly refreshToken: string;
}

const sessionFile = (home: string) => join(home, 'oidc-session.json');
const tokenFile = (home: string) => join(home, 'token');

/** Discovery of the issuer; plain HTTP is allowed for loopback issuers only (a local Keycloak). */
async function configOf(issuer: string, clientId: string): Promise<oidc.Configuration> {
  const url = new URL(issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  try {
    return await oidc.discovery(
      url,
      clientId,
      undefined,
      undefined,
      loopback && url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {},
    );
  } catch (err) {
    throw new Error(
      `cannot read the OpenID configuration of ${issuer}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

async function save(home: string, session: OidcSession, accessToken: string): Promise<void> {
  await mkdir(home, { recursive: true });
  await writeFile(tokenFile(home), `${accessToken}\n`, { mode: 0o600 });
  await writeFile(sessionFile(home), JSON.stringify(session), { mode: 0o600 });
}

/**
 * The OAuth device flow (RFC 8628) against `issuer`: prints where to sign in and the code,
 * waits until the user has, and saves the access token (and the refresh token, for later
 * calls) in `home`. Returns the token's claims.
 */
export async function deviceLogin(options: {
  home: string;
  issuer: string;
  clientId: string;
  /** Told the URL to open and the code to enter. */
  prompt: (verificationUri: string, userCode: string, completeUri: string | undefined) => void;
  signal?: AbortSignal;
}): Promise<Record<string, unknown>> {
  const config = await configOf(options.issuer, options.clientId);
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
  options.prompt(device.verification_uri, device.user_code, device.verification_uri_complete);
  const tokens = await oidc.pollDeviceAuthorizationGrant(
    config,
    device,
    undefined,
    options.signal ? { signal: options.signal } : {},
  );
  await save(
    options.home,
    {
      issuer: options.issuer,
      clientId: options.clientId,
      refreshToken: tokens.refresh_token ?? '',
    },
    tokens.access_token,
  );
  return JSON.parse(
    Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString(),
  ) as Record<string, unknown>;
}

/** Forgets the session (a dev login replaces it). */
export async function forgetOidcSession(home: string): Promise<void> {
  await rm(sessionFile(home), { force: true });
}

/**
 * The saved access token, refreshed through the issuer first when it expires within 30 s and
 * `ameide login --issuer` left a refresh token; undefined when no token is saved.
 */
export async function savedToken(home: string): Promise<string | undefined> {
  let token: string;
  try {
    token = (await readFile(tokenFile(home), 'utf8')).trim();
  } catch {
    return undefined;
  }
  let session: OidcSession;
  try {
    session = JSON.parse(await readFile(sessionFile(home), 'utf8')) as OidcSession;
  } catch {
    return token;
  }
  const exp = expiryOf(token);
  if (!session.refreshToken || exp === undefined || exp * 1000 - Date.now() > 30_000) return token;
  const config = await configOf(session.issuer, session.clientId);
  try {
    const tokens = await oidc.refreshTokenGrant(config, session.refreshToken);
    await save(
      home,
      { ...session, refreshToken: tokens.refresh_token ?? session.refreshToken },
      tokens.access_token,
    );
    return tokens.access_token;
  } catch (err) {
    throw new Error(
      `the saved sign-in at ${session.issuer} expired and could not be refreshed (${(err as Error).message}); run \`ameide login --issuer ${session.issuer}\` again`,
      { cause: err },
    );
  }
}

function expiryOf(token: string): number | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}
