// The WebAssembly sandbox for tenant extensions: the runtime, then the pure module checks a
// publish step uses, then the parts for those who assemble their own.
export { createExtensionRuntime } from './extension-runtime.js';
export type {
  Extension,
  ExtensionLimits,
  ExtensionRuntime,
  ExtensionRuntimeOptions,
  ExtensionRuntimeStats,
  GuestLogEntry,
  InvocationResult,
  InvokeRequest,
} from './extension-runtime.js';
export type { HostCallPort } from './host-call-bridge.js';
export type { JsonValue } from './json-value.js';
export { inspectModule, WASM_PAGE_BYTES } from './inspect-module.js';
export type {
  ExternKind,
  MemoryImport,
  ModuleExport,
  ModuleImport,
  ModuleInfo,
} from './inspect-module.js';
export {
  DEFAULT_MAX_MODULE_BYTES,
  ModuleRule,
  validateModule,
  validateModuleInfo,
} from './validate-module.js';
export type { ModulePolicy, ModuleViolation } from './validate-module.js';
export { buildGuest, guestCompilerFlags, guestLibDir } from './build-guest.js';
export type { BuildGuestOptions } from './build-guest.js';
export { GUEST_ALLOC_EXPORT, GUEST_IMPORTS, isGuestImport } from './guest-abi.js';
export { bridgeHostCall } from './host-call-bridge.js';
export type { HostCallDecision, HostCallRequest } from './host-call-bridge.js';
export { createCircuitBreaker } from './circuit-breaker.js';
export type { CircuitBreaker, CircuitBreakerOptions, CircuitDecision } from './circuit-breaker.js';
export { createExtensionMetrics } from './extension-metrics.js';
export type { ExtensionMetrics } from './extension-metrics.js';
