// Test support for other packages (vitest only): not part of the runtime's API.
export { describeOrderServiceContract } from './order-service-contract.js';
export type { OrderServiceUnderTest } from './order-service-contract.js';
