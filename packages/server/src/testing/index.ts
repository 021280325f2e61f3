// Test support for other packages: a host that trusts a throwaway key, and clients per caller.
export { startTestHost } from './start-test-host.js';
export type { TestClientOptions, TestHost, TestHostOptions } from './start-test-host.js';
export { createSilentLogger } from './silent-logger.js';
