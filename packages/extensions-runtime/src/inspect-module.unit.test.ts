import { describe, expect, it } from 'vitest';
import { inspectModule } from '@ameide/extensions-runtime';
import {
  testGuest,
  TEST_GUEST_MAX_PAGES,
  wasmModuleBytes,
} from '@ameide/extensions-runtime/testing';

describe('inspectModule', () => {
  it('reads the imports, exports and the memory limits of a compiled guest', async () => {
    const bytes = await testGuest('pricing');
    const info = inspectModule(bytes);
    expect(info.byteSize).toBe(bytes.byteLength);
    expect(info.definesMemory).toBe(false);
    expect(info.memoryImport).toEqual({
      module: 'env',
      name: 'memory',
      initialPages: 1,
      maximumPages: TEST_GUEST_MAX_PAGES,
      shared: false,
      memory64: false,
    });
    expect(info.imports).toContainEqual({ module: 'env', name: 'abort', kind: 'function' });
    expect(info.exports).toEqual(
      expect.arrayContaining([
        { name: 'alloc', kind: 'function' },
        { name: 'run', kind: 'function' },
      ]),
    );
  }, 120_000);

  it('tells a memory without maximum and a module with its own memory apart', () => {
    expect(
      inspectModule(wasmModuleBytes({ importMemory: { initial: 3 } })).memoryImport,
    ).toMatchObject({
      initialPages: 3,
      maximumPages: undefined,
    });
    const own = inspectModule(wasmModuleBytes({ ownMemory: { initial: 1, maximum: 2 } }));
    expect(own).toMatchObject({ definesMemory: true, memoryImport: undefined });
  });

  it('lists function imports outside the ABI', () => {
    const info = inspectModule(
      wasmModuleBytes({
        importMemory: { initial: 1, maximum: 1 },
        functionImports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write' }],
      }),
    );
    expect(info.imports).toEqual([
      { module: 'wasi_snapshot_preview1', name: 'fd_write', kind: 'function' },
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
  });

  it('refuses bytes that are not wasm, naming the problem', () => {
    expect(() => inspectModule(new TextEncoder().encode('#!/bin/sh\necho hi'))).toThrow(
      'not a WebAssembly module: it does not start with the WebAssembly magic number',
    );
    const truncated = wasmModuleBytes({ importMemory: { initial: 1, maximum: 1 } }).slice(0, 20);
    expect(() => inspectModule(truncated)).toThrow(
      /not a WebAssembly module: section \d+ runs past the end/,
    );
  });
});
