import { createHash } from 'node:crypto';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { inspectModule, type ModuleInfo } from './inspect-module.js';
import { DEFAULT_MAX_MODULE_BYTES } from './validate-module.js';
import { wasmEngine, type WasmModule } from './wasm-engine.js';

/** A compiled module with what {@link inspectModule} read from it. */
export interface CompiledModule {
  /** The normalised hash (lower-case hex). */
  readonly key: string;
  readonly module: WasmModule;
  readonly info: ModuleInfo;
}

/** Counters of a {@link ModuleCache}. */
export interface ModuleCacheStats {
  readonly size: number;
  readonly hits: number;
  readonly misses: number;
}

/** Compiled modules by content hash. */
export interface ModuleCache {
  get(
    label: string,
    hash: string,
    load: () => Uint8Array | Promise<Uint8Array>,
  ): Promise<CompiledModule>;
  stats(): ModuleCacheStats;
}

/** `hash` as lower-case hex without an algorithm prefix. */
function normaliseHash(hash: string): string {
  return hash.replace(/^sha256:/i, '').toLowerCase();
}

/**
 * Creates the cache of compiled modules, keyed by the extension's content hash (SHA-256 hex,
 * optionally `sha256:`-prefixed). The bytes are hashed on a miss and must match: the hash is
 * the key, so a wrong one would otherwise run one extension's code under another's name. Holds
 * at most `capacity` modules, dropping the least recently used.
 */
export function createModuleCache(
  capacity: number,
  maxModuleBytes = DEFAULT_MAX_MODULE_BYTES,
): ModuleCache {
  const entries = new Map<string, Promise<CompiledModule>>();
  let hits = 0;
  let misses = 0;
  const failed = (label: string, message: string, reason: string, cause?: unknown) =>
    new AmeideError(ErrorCode.FailedPrecondition, `extension ${label}: ${message}`, {
      reason,
      domain: 'ameide.extensions',
      metadata: { extension: label },
      cause,
    });

  const compile = async (
    label: string,
    key: string,
    load: () => Uint8Array | Promise<Uint8Array>,
  ): Promise<CompiledModule> => {
    const bytes = await load();
    if (bytes.byteLength > maxModuleBytes) {
      throw failed(
        label,
        `the module is ${bytes.byteLength} bytes, more than the ${maxModuleBytes} allowed`,
        'EXTENSION_INVALID_MODULE',
      );
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== key) {
      throw failed(
        label,
        `the module's SHA-256 is ${actual}, not the declared hash ${key}`,
        'EXTENSION_HASH_MISMATCH',
      );
    }
    let info: ModuleInfo;
    try {
      info = inspectModule(bytes);
    } catch (err) {
      throw failed(label, (err as Error).message, 'EXTENSION_INVALID_MODULE', err);
    }
    try {
      return { key, module: await wasmEngine.compile(bytes), info };
    } catch (err) {
      throw failed(
        label,
        `the module does not compile: ${(err as Error).message}`,
        'EXTENSION_INVALID_MODULE',
        err,
      );
    }
  };

  return {
    get(label, hash, load) {
      const key = normaliseHash(hash);
      const hit = entries.get(key);
      if (hit) {
        hits++;
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      misses++;
      const entry = compile(label, key, load);
      entries.set(key, entry);
      // A failed load is not cached: the next call tries again (the loader may recover).
      entry.catch(() => entries.get(key) === entry && entries.delete(key));
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
      return entry;
    },
    stats() {
      return { size: entries.size, hits, misses };
    },
  };
}
