import { createConnectTransport } from '@connectrpc/connect-web';
import {
  ameideInterceptors,
  createAmeideClientFromTransport,
  type AmeideClient,
} from '@ameide/sdk/web';

export type { AmeideClient };

/**
 * The platform client of the console: the SDK's typed clients over Connect-Web (same origin)
 * with the signed-in user's token; every failure is an AmeideError.
 */
export function createPlatformClient(
  token: string,
  baseUrl: string = window.location.origin,
): AmeideClient {
  const transport = createConnectTransport({
    baseUrl,
    interceptors: ameideInterceptors({ token }),
  });
  return createAmeideClientFromTransport(transport);
}
