/** Who is signed in: the token the platform accepts, and what it says (from WhoAmI). */
export interface Session {
  readonly token: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly groups: readonly string[];
}

const STORAGE_KEY = 'ameide.session';

/** The session of this tab (sessionStorage: another tab may sign in to another tenant). */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (
      typeof s.token !== 'string' ||
      typeof s.tenantId !== 'string' ||
      typeof s.userId !== 'string'
    )
      return undefined;
    if (tokenExpired(s.token)) return undefined;
    return {
      token: s.token,
      tenantId: s.tenantId,
      userId: s.userId,
      groups: Array.isArray(s.groups) ? s.groups : [],
    };
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** Whether a JWT's `exp` has passed (the server checks the signature; this only avoids a dead session). */
export function tokenExpired(token: string, now: number = Date.now()): boolean {
  const payload = token.split('.')[1];
  if (!payload) return true;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: number;
    };
    return typeof json.exp === 'number' && json.exp * 1000 <= now;
  } catch {
    return true;
  }
}

export type DevTokenOutcome =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly unavailable: boolean; readonly message: string };

/** Asks the embedded platform (`ameide dev`) for a dev token; `unavailable` when it has no dev sign-in. */
export async function requestDevToken(
  tenantId: string,
  userId: string,
  groups: readonly string[],
): Promise<DevTokenOutcome> {
  let res: Response;
  try {
    res = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, userId, groups }),
    });
  } catch (err) {
    return { ok: false, unavailable: false, message: `cannot reach the platform: ${String(err)}` };
  }
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (res.ok && body.token) return { ok: true, token: body.token };
  return {
    ok: false,
    unavailable: res.status === 404 || res.status === 405,
    message: body.error ?? `sign-in failed (HTTP ${res.status})`,
  };
}

/** The fragment the platform's OIDC sign-in returns the access token in (`/#oidc-token=…`). */
const OIDC_TOKEN_FRAGMENT = /^#oidc-token=([^&]+)$/;

/**
 * The access token an OIDC sign-in just returned in the URL fragment, removed from the URL
 * (and the history) as it is read; undefined when there is none.
 */
export function takeOidcToken(): string | undefined {
  const m = OIDC_TOKEN_FRAGMENT.exec(window.location.hash);
  if (!m?.[1]) return undefined;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
  return decodeURIComponent(m[1]);
}
