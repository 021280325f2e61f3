export { createAmeideClient } from './client/create-ameide-client.js';
export type { AmeideProtocol, CreateAmeideClientOptions } from './client/create-ameide-client.js';
export {
  createAmeideClientFromTransport,
  ameideInterceptors,
  ameideServiceMap,
} from './client/ameide-client.js';
export type { AmeideClient, ClientInterceptorOptions } from './client/ameide-client.js';
export { callRpc, findRpc } from './client/call-rpc.js';
export { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
export type { FieldViolation, VersionConflict } from '@ameide/errors';
export type { TokenSource } from './interceptors/auth.js';
export type { RetryOptions } from './interceptors/retry.js';
export { authInterceptor } from './interceptors/auth.js';
export { retryInterceptor } from './interceptors/retry.js';
export { traceparentInterceptor } from './interceptors/traceparent.js';
