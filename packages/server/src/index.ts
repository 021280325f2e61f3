export { startServiceHost } from './host/service-host.js';
export type {
  ServiceHost,
  ServiceHostOptions,
  ServiceRegistration,
  ReadinessCheck,
} from './host/service-host.js';
export { getActor, getRequestContext, requestContextKey } from './context/request-context.js';
export type { Actor, RequestContext } from './context/request-context.js';
export { createTokenVerifier, DEFAULT_MAX_TOKEN_LIFETIME_SEC } from './auth/token-verifier.js';
export type { TokenVerifier, TokenVerifierOptions, VerifiedClaims } from './auth/token-verifier.js';
export {
  createMultiIssuerVerifier,
  createOidcVerifier,
  withAdmission,
} from './auth/oidc-verifier.js';
export type {
  ClaimMapping,
  MultiIssuerVerifierOptions,
  OidcVerifierOptions,
} from './auth/oidc-verifier.js';
export {
  AMEIDE_AUDIENCE,
  DEV_ISSUER,
  DEV_TOKEN_TTL_SEC,
  MAX_DEV_TOKEN_TTL_SEC,
  createEphemeralDevIdentity,
  devIdentityFromJwk,
  loadOrCreateDevIdentity,
} from './auth/dev-identity.js';
export type { DevIdentity, DevTokenClaims } from './auth/dev-identity.js';
export { createLogger } from './logging/logger.js';
export type { CreateLoggerOptions, Logger, PrimitiveIdentity } from './logging/logger.js';
export { SANDBOX_TENANT_PREFIX, TENANT_ID_PATTERN } from './interceptors/request-context.js';
// For other packages building their own chains.
export { createTracingInterceptor } from './interceptors/tracing.js';
export { createAuthenticationInterceptor, claimsKey } from './interceptors/authentication.js';
export { createRequestContextInterceptor } from './interceptors/request-context.js';
export { createErrorMappingInterceptor } from './interceptors/error-mapping.js';
export { createLoggingInterceptor } from './interceptors/logging.js';
export { createInputValidationInterceptor } from './interceptors/input-validation.js';
export {
  createReadOnlyInterceptor,
  isReadMethod,
  isReadOnlyService,
} from './interceptors/read-only.js';
export type { InputValidationOptions } from './interceptors/input-validation.js';
export { callScope } from './context/call-scope.js';
