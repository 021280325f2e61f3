// Server side of the console: what `ameide dev` needs to build and serve it.
export { createConsoleFallback } from './console-fallback.js';
export type {
  ConsoleFallback,
  ConsoleFallbackOptions,
  FallbackHandler,
} from './console-fallback.js';
export { createConsoleHandler } from './console-handler.js';
export type { ConsoleHandlerOptions } from './console-handler.js';
export { buildConsole, isConsoleBuildStale } from './build-console.js';
export type { BuildConsoleOptions, BuildConsoleResult } from './build-console.js';
export { createDevTokenHandler, DEV_TOKEN_PATH } from './dev-token-handler.js';
export type { DevTokenRequest } from './dev-token-handler.js';
export { consoleDistDir, consoleRoot } from './vite-config.js';
export {
  CONSOLE_CLIENT_ID,
  createOidcSignInHandler,
  OIDC_CALLBACK_PATH,
  OIDC_LOGIN_PATH,
} from './oidc-sign-in-handler.js';
export type { OidcSignInOptions } from './oidc-sign-in-handler.js';
