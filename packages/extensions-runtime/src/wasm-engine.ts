/**
 * A compiled WebAssembly module, opaque to TypeScript: the project's `lib` (ES2023, no DOM) has
 * no WebAssembly types, and declaring them globally would leak into every package.
 */
export interface WasmModule {
  readonly __wasmModule: never;
}

/** The part of the engine's `WebAssembly` global the main thread uses. */
export interface WasmEngine {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  validate(bytes: Uint8Array): boolean;
}

/** V8's WebAssembly, typed as far as this package needs it. */
export const wasmEngine = (globalThis as unknown as { WebAssembly: WasmEngine }).WebAssembly;
