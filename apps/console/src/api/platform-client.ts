import { createConnectTransport } from '@connectrpc/connect-web';
import { ameideInterceptors, createAmeideClientFromTransport, type AmeideClient } from '@ameide/sdk';

/**
 * The SDK client over Connect-Web, same origin as the console, with the signed-in user's token.
 * Every failure is an AmeideError (code, field violations, version conflict).
 */
export function createPlatformClient(token: string, baseUrl: string = window.location.origin): AmeideClient {
  const transport = createConnectTransport({
    baseUrl,
    interceptors: ameideInterceptors({ token, retry: { maxAttempts: 2 } }),
  });
  return createAmeideClientFromTransport(transport);
}

export type { AmeideClient };
