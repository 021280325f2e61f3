import { inject } from 'vitest';
import './provided-context.js';

/** The test run's Keycloak and its master-realm admin (see the global setup). */
export function testKeycloak(): { url: string; admin: { username: string; password: string } } {
  return inject('keycloak');
}

/**
 * Waits until the run's Keycloak answers OIDC discovery: it starts in the background and
 * takes 40-75 s, so files that use it call this in `beforeAll` (with a long hook timeout).
 *
 * @throws Error after `timeoutMs` (default 420 s), pointing at the setup's own error.
 */
export async function waitForTestKeycloak(timeoutMs = 420_000): Promise<void> {
  const { url } = testKeycloak();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/realms/master/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `Keycloak at ${url} did not answer within ${timeoutMs} ms; ` +
          'the test setup printed why it did not start (ameide test setup: Keycloak did not start ...)',
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}
