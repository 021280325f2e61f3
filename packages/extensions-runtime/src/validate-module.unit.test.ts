import { describe, expect, it } from 'vitest';
import { ModuleRule, validateModule, type ModulePolicy } from '@ameide/extensions-runtime';
import { testGuest, wasmModuleBytes } from '@ameide/extensions-runtime/testing';

const policy: ModulePolicy = { maxMemoryPages: 16, entryPoint: 'run' };
const rules = (bytes: Uint8Array, p: ModulePolicy = policy) =>
  validateModule(bytes, p).map((v) => v.rule);

describe('validateModule', () => {
  it('accepts a guest built for the sandbox', async () => {
    expect(
      validateModule(await testGuest('pricing'), { maxMemoryPages: 32, entryPoint: 'run' }),
    ).toEqual([]);
  }, 120_000);

  it('EXT001: refuses a module that defines its own memory or imports none', () => {
    expect(rules(wasmModuleBytes({ ownMemory: { initial: 1, maximum: 4 } }))).toEqual([
      ModuleRule.MemoryNotImported,
    ]);
    expect(validateModule(wasmModuleBytes({}), policy)[0]).toMatchObject({
      rule: 'EXT001',
      field: 'module.memory',
      description: expect.stringContaining('imports no memory') as string,
    });
  });

  it('EXT002: refuses a memory without maximum, or above the policy', () => {
    expect(rules(wasmModuleBytes({ importMemory: { initial: 1 } }))).toEqual(['EXT002']);
    const [v] = validateModule(
      wasmModuleBytes({ importMemory: { initial: 1, maximum: 17 } }),
      policy,
    );
    expect(v).toMatchObject({ rule: 'EXT002', field: 'module.memory.maximum' });
    expect(v?.description).toContain('maximum of 17 pages, above the limit of 16 pages');
    expect(rules(wasmModuleBytes({ importMemory: { initial: 1, maximum: 16 } }))).toEqual([]);
  });

  it('EXT003: names every import outside the ABI', () => {
    const bytes = wasmModuleBytes({
      importMemory: { initial: 1, maximum: 1 },
      functionImports: [
        { module: 'ameide', name: 'host_call' },
        { module: 'wasi_snapshot_preview1', name: 'fd_write' },
        { module: 'env', name: 'seed' },
      ],
    });
    expect(validateModule(bytes, policy).map((v) => v.field)).toEqual([
      'module.imports.wasi_snapshot_preview1.fd_write',
      'module.imports.env.seed',
    ]);
  });

  it('EXT004: refuses a module without the declared entry point', () => {
    const bytes = wasmModuleBytes({
      importMemory: { initial: 1, maximum: 1 },
      entryPoints: ['price'],
    });
    expect(rules(bytes, { ...policy, entryPoint: 'price' })).toEqual([]);
    expect(validateModule(bytes, policy)).toEqual([
      expect.objectContaining({ rule: 'EXT004', field: 'module.exports.run' }),
    ]);
  });

  it('EXT005: refuses a module over the size limit before reading it', () => {
    const bytes = wasmModuleBytes({ importMemory: { initial: 1, maximum: 1 } });
    expect(rules(bytes, { ...policy, maxModuleBytes: bytes.byteLength - 1 })).toEqual(['EXT005']);
  });

  it('EXT006: refuses bytes that are not a module, or do not compile', () => {
    expect(rules(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]))).toEqual(['EXT006']);
    const valid = wasmModuleBytes({ importMemory: { initial: 1, maximum: 1 } });
    const broken = valid.slice();
    broken[broken.length - 1] = 0xff; // the last function body no longer ends with `end`
    expect(validateModule(broken, policy)).toEqual([
      expect.objectContaining({
        rule: 'EXT006',
        description: expect.stringContaining('does not compile') as string,
      }),
    ]);
  });
});
