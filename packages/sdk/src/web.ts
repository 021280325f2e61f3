// Browser-safe entry of the SDK (`@ameide/sdk/web`): everything but the Node
// transports. Pair it with `createConnectTransport` from `@connectrpc/connect-web`:
//
//   const transport = createConnectTransport({ baseUrl, interceptors: ameideInterceptors({ token }) });
//   const ameide = createAmeideClientFromTransport(transport);
export {
  createAmeideClientFromTransport,
  ameideInterceptors,
  ameideServiceMap,
} from './client/ameide-client.js';
export type { AmeideClient, ClientInterceptorOptions } from './client/ameide-client.js';
export { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
export type { FieldViolation, VersionConflict } from '@ameide/errors';
export type { TokenSource } from './interceptors/auth.js';
export type { RetryOptions } from './interceptors/retry.js';
export { authInterceptor } from './interceptors/auth.js';
export { retryInterceptor } from './interceptors/retry.js';
export { traceparentInterceptor } from './interceptors/traceparent.js';
