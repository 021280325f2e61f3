import { createConnectTransport } from '@connectrpc/connect-web';
import {
  ameideInterceptors,
  createAmeideClientFromTransport,
  type AmeideClient,
} from '@ameide/sdk/web';

/** The platform session of this tab, as the console stores it after sign-in. */
export interface Session {
  readonly token: string;
  readonly tenantId: string;
  readonly userId: string;
}

/** The signed-in session, or undefined (then the page asks to sign in through the console). */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem('ameide.session');
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.token === 'string' && typeof s.tenantId === 'string' && typeof s.userId === 'string'
      ? { token: s.token, tenantId: s.tenantId, userId: s.userId }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The platform's API through the SDK only (same origin), as the signed-in user. */
export function platformClient(session: Session): AmeideClient {
  const transport = createConnectTransport({
    baseUrl: window.location.origin,
    interceptors: ameideInterceptors({ token: session.token }),
  });
  return createAmeideClientFromTransport(transport);
}
