import { useState, type FormEvent } from 'react';
import { createPlatformClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { requestDevToken, type Session } from './session.js';

/**
 * Embedded-mode sign-in: pick a tenant, user and groups and get a dev token from `ameide dev`.
 * Platforms without dev sign-in accept a pasted token instead. Either way the session is what
 * WhoAmI answers, so the tenant shown is the one the platform enforces.
 */
export function SignInPage({
  onSignedIn,
  initialError,
}: {
  onSignedIn: (s: Session) => void;
  initialError?: string;
}) {
  const [tenantId, setTenantId] = useState('demo');
  const [orgTenant, setOrgTenant] = useState('');
  const [userId, setUserId] = useState('alice');
  const [groups, setGroups] = useState('sales');
  const [pasted, setPasted] = useState('');
  const [noDevSignIn, setNoDevSignIn] = useState(false);
  const [error, setError] = useState<string | undefined>(initialError);
  const [busy, setBusy] = useState(false);

  async function finish(token: string) {
    const client = createPlatformClient(token);
    const { context } = await client.platform.whoAmI({});
    if (!context) throw new Error('the platform did not say who you are');
    onSignedIn({
      token,
      tenantId: context.tenantId,
      userId: context.userId,
      groups: context.groups,
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (noDevSignIn) {
        await finish(pasted.trim());
        return;
      }
      const list = groups
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean);
      const outcome = await requestDevToken(tenantId.trim(), userId.trim(), list);
      if (outcome.ok) await finish(outcome.token);
      else {
        setNoDevSignIn(outcome.unavailable);
        setError(
          outcome.unavailable
            ? 'This platform has no dev sign-in: paste a token from `ameide token`.'
            : outcome.message,
        );
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Ameide</h1>
        <p className="hint">
          Embedded mode: choose who you act as. Everything you see belongs to this tenant.
        </p>
        {noDevSignIn ? (
          <label>
            Token
            <textarea
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              rows={4}
              required
            />
          </label>
        ) : (
          <>
            <label>
              Tenant
              <input
                name="tenant"
                value={tenantId}
                onChange={(e) => setTenantId(e.target.value)}
                required
                autoComplete="off"
              />
            </label>
            <label>
              User
              <input
                name="user"
                value={userId}
                onChange={(e) => setUserId(e.target.value)}
                required
                autoComplete="username"
              />
            </label>
            <label>
              Groups <span className="hint">(comma-separated)</span>
              <input
                name="groups"
                value={groups}
                onChange={(e) => setGroups(e.target.value)}
                autoComplete="off"
              />
            </label>
          </>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <form
        aria-labelledby="oidc-sign-in-title"
        onSubmit={(e) => {
          e.preventDefault();
          // The platform runs the authorization code flow with PKCE at the tenant's realm.
          window.location.assign(`/auth/login?tenant=${encodeURIComponent(orgTenant.trim())}`);
        }}
      >
        <h2 id="oidc-sign-in-title">Sign in with your organisation</h2>
        <p className="hint">
          Your organisation&apos;s identity provider (Keycloak) signs you in: give its tenant id.
        </p>
        <label>
          Organisation
          <input
            name="oidc-tenant"
            value={orgTenant}
            onChange={(e) => setOrgTenant(e.target.value)}
            required
            autoComplete="organization"
          />
        </label>
        <button type="submit">Continue to sign-in</button>
      </form>
    </main>
  );
}
