// Test support: the example and hostile guests, compiled once per machine, and wasm binaries
// written byte by byte for the modules AssemblyScript would not produce.
export { guestsDir, sha256, testGuest, TEST_GUEST_MAX_PAGES } from './test-guest.js';
export type { TestGuestName } from './test-guest.js';
export { wasmModuleBytes } from './wasm-module-bytes.js';
export type { WasmModuleSpec } from './wasm-module-bytes.js';
export { pricingReference } from './pricing-reference.js';
export type { PricingLine } from './pricing-reference.js';
