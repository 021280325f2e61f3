import { GUEST_ALLOC_EXPORT, isGuestImport } from './guest-abi.js';
import { inspectModule, WASM_PAGE_BYTES, type ModuleInfo } from './inspect-module.js';
import { isAmeideError, type FieldViolation } from '@ameide/errors';
import { wasmEngine } from './wasm-engine.js';

/**
 * The rule codes of {@link validateModule}, stable so that a publish step, a CLI and the docs
 * can refer to them.
 */
export const ModuleRule = {
  /** The module does not import its memory, or defines memory of its own. */
  MemoryNotImported: 'EXT001',
  /** The imported memory declares no maximum, or one above the policy. */
  MemoryMaximum: 'EXT002',
  /** An import outside the guest ABI. */
  ImportOutsideAbi: 'EXT003',
  /** The declared entry point (or the ABI's `alloc`) is not an exported function. */
  ExportMissing: 'EXT004',
  /** The binary is larger than the policy allows. */
  ModuleTooLarge: 'EXT005',
  /** The bytes are not a valid WebAssembly module. */
  NotWasm: 'EXT006',
} as const;

export type ModuleRule = (typeof ModuleRule)[keyof typeof ModuleRule];

/** One broken rule; a {@link FieldViolation}, so it can go into an `invalid_argument` as is. */
export interface ModuleViolation extends FieldViolation {
  readonly rule: ModuleRule;
}

/** What a module must satisfy to be published or run. */
export interface ModulePolicy {
  /** Largest memory the module may declare, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** The export the host calls. */
  readonly entryPoint: string;
  /** Largest binary accepted; 8 MiB by default. */
  readonly maxModuleBytes?: number;
}

/** The default of {@link ModulePolicy.maxModuleBytes}. */
export const DEFAULT_MAX_MODULE_BYTES = 8 * 1024 * 1024;

/**
 * Checks a WebAssembly binary against the guest ABI and a policy; pure, so a publish step can
 * refuse a module before anything stores it. Returns every violation (empty: the module may
 * run), each naming the problem; the runtime refuses the same modules.
 */
export function validateModule(bytes: Uint8Array, policy: ModulePolicy): ModuleViolation[] {
  const max = policy.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES;
  if (bytes.byteLength > max) {
    return [
      violation(
        ModuleRule.ModuleTooLarge,
        'module',
        `the module is ${bytes.byteLength} bytes, more than the ${max} allowed`,
      ),
    ];
  }
  let info: ModuleInfo;
  try {
    info = inspectModule(bytes);
  } catch (err) {
    if (!isAmeideError(err)) throw err;
    return [violation(ModuleRule.NotWasm, 'module', err.message)];
  }
  // The section walk reads only what the rules need; the engine's validator checks the rest
  // (function bodies, types), so a module that passes here also compiles.
  if (!wasmEngine.validate(bytes)) {
    return [
      violation(
        ModuleRule.NotWasm,
        'module',
        'not a valid WebAssembly module (it does not compile)',
      ),
    ];
  }
  return validateModuleInfo(info, policy);
}

/**
 * The rules of {@link validateModule} on an already inspected module (the runtime keeps the
 * inspection with the compiled module and checks each extension's own policy against it).
 */
export function validateModuleInfo(info: ModuleInfo, policy: ModulePolicy): ModuleViolation[] {
  const out: ModuleViolation[] = [];
  const max = policy.maxModuleBytes ?? DEFAULT_MAX_MODULE_BYTES;
  if (info.byteSize > max) {
    out.push(
      violation(
        ModuleRule.ModuleTooLarge,
        'module',
        `the module is ${info.byteSize} bytes, more than the ${max} allowed`,
      ),
    );
  }
  if (info.definesMemory) {
    out.push(
      violation(
        ModuleRule.MemoryNotImported,
        'module.memory',
        'the module defines its own memory; it must import env.memory so the host can bound it (asc --importMemory)',
      ),
    );
  } else if (info.memoryImport === undefined) {
    out.push(
      violation(
        ModuleRule.MemoryNotImported,
        'module.memory',
        'the module imports no memory; it must import env.memory (asc --importMemory)',
      ),
    );
  }
  const mem = info.memoryImport;
  if (mem !== undefined) {
    const limit = `${policy.maxMemoryPages} pages (${(policy.maxMemoryPages * WASM_PAGE_BYTES) / 1024} KiB)`;
    if (mem.maximumPages === undefined) {
      out.push(
        violation(
          ModuleRule.MemoryMaximum,
          'module.memory.maximum',
          `the imported memory declares no maximum; declare at most ${limit} (asc --maximumMemory)`,
        ),
      );
    } else if (mem.maximumPages > policy.maxMemoryPages) {
      out.push(
        violation(
          ModuleRule.MemoryMaximum,
          'module.memory.maximum',
          `the imported memory declares a maximum of ${mem.maximumPages} pages, above the limit of ${limit}`,
        ),
      );
    }
    if (mem.initialPages > (mem.maximumPages ?? policy.maxMemoryPages)) {
      out.push(
        violation(
          ModuleRule.MemoryMaximum,
          'module.memory.initial',
          `the imported memory starts at ${mem.initialPages} pages, above its maximum`,
        ),
      );
    }
    if (mem.shared || mem.memory64) {
      out.push(
        violation(
          ModuleRule.MemoryNotImported,
          'module.memory',
          'the imported memory must be a plain 32-bit, unshared memory',
        ),
      );
    }
  }
  for (const imp of info.imports) {
    if (!isGuestImport(imp.module, imp.name, imp.kind)) {
      out.push(
        violation(
          ModuleRule.ImportOutsideAbi,
          `module.imports.${imp.module}.${imp.name}`,
          `import ${imp.module}.${imp.name} (${imp.kind}) is not part of the guest ABI`,
        ),
      );
    }
  }
  for (const name of [policy.entryPoint, GUEST_ALLOC_EXPORT]) {
    if (!info.exports.some((e) => e.name === name && e.kind === 'function')) {
      out.push(
        violation(
          ModuleRule.ExportMissing,
          `module.exports.${name}`,
          name === GUEST_ALLOC_EXPORT
            ? `the module does not export the function ${name}(len) the host writes the input through`
            : `the module does not export the entry point function ${name}`,
        ),
      );
    }
  }
  return out;
}

function violation(rule: ModuleRule, field: string, description: string): ModuleViolation {
  return { rule, field, description: `${rule}: ${description}` };
}
