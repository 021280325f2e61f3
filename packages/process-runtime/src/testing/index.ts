// Test support for other packages (vitest only): not part of the runtime's API.
export { describeOrderServiceContract } from './order-service-contract.js';
export type { OrderServiceUnderTest } from './order-service-contract.js';
// The engine on a fake port (no Temporal): what the engine benchmark runs.
export { startFakeInstance } from './fake-instance.js';
export type { FakeInstance } from './fake-instance.js';
export { compilePlan } from './example-plans.js';
