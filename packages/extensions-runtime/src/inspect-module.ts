import { AmeideError } from '@ameide/errors';

/** What kind of thing a module imports or exports. */
export type ExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

/** One import of a module: `module.name` and its kind. */
export interface ModuleImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
}

/** One export of a module. */
export interface ModuleExport {
  readonly name: string;
  readonly kind: ExternKind;
}

/** The limits a module declares for the memory it imports, in 64 KiB pages. */
export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  readonly initialPages: number;
  /** Undefined when the module declares no maximum (it could grow to 4 GiB). */
  readonly maximumPages: number | undefined;
  readonly shared: boolean;
  readonly memory64: boolean;
}

/** What {@link inspectModule} reads from a WebAssembly binary. */
export interface ModuleInfo {
  readonly byteSize: number;
  readonly imports: readonly ModuleImport[];
  readonly exports: readonly ModuleExport[];
  /** The first imported memory, if any. */
  readonly memoryImport: MemoryImport | undefined;
  /** True when the module has a memory section: memory the host cannot bound from outside. */
  readonly definesMemory: boolean;
}

/** The size of one WebAssembly memory page in bytes. */
export const WASM_PAGE_BYTES = 65_536;

const kinds: readonly ExternKind[] = ['function', 'table', 'memory', 'global', 'tag'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_EXPORT = 7;

/**
 * Reads the imports (with the memory import's limits), exports and memory section of a
 * WebAssembly binary. Pure: it compiles nothing. `WebAssembly.Module.imports()` does not expose
 * memory limits, so the import section is parsed here; the format is small and stable (the
 * binary format of WebAssembly 1.0 plus the threads and memory64 limit flags), which is why no
 * library is used for it.
 *
 * @throws AmeideError `invalid_argument` naming what is wrong when `bytes` is not a WebAssembly
 *   binary (bad magic or version, a truncated or malformed section).
 */
export function inspectModule(bytes: Uint8Array): ModuleInfo {
  const r = new Reader(bytes);
  if (bytes.byteLength < 8 || r.u32le() !== 0x6d736100) {
    throw notWasm('it does not start with the WebAssembly magic number \\0asm');
  }
  const version = r.u32le();
  if (version !== 1) throw notWasm(`binary format version ${version} is not 1`);

  const imports: ModuleImport[] = [];
  const exports: ModuleExport[] = [];
  let memoryImport: MemoryImport | undefined;
  let definesMemory = false;
  while (!r.atEnd()) {
    const id = r.byte();
    const size = r.leb();
    const end = r.pos + size;
    if (end > bytes.byteLength) throw notWasm(`section ${id} runs past the end of the binary`);
    if (id === SECTION_IMPORT) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const name = r.name();
        const kind = kindOf(r.byte());
        if (kind === 'function') r.leb();
        else if (kind === 'table') {
          r.byte();
          r.limits();
        } else if (kind === 'memory') {
          const limits = r.limits();
          memoryImport ??= { module, name, ...limits };
        } else if (kind === 'global') {
          r.byte();
          r.byte();
        } else {
          r.byte();
          r.leb();
        }
        imports.push({ module, name, kind });
      }
    } else if (id === SECTION_MEMORY) {
      definesMemory = r.leb() > 0;
    } else if (id === SECTION_EXPORT) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kind = kindOf(r.byte());
        r.leb();
        exports.push({ name, kind });
      }
    }
    if (r.pos > end) throw notWasm(`section ${id} is longer than its declared size`);
    r.pos = end;
  }
  return { byteSize: bytes.byteLength, imports, exports, memoryImport, definesMemory };
}

function kindOf(b: number): ExternKind {
  const k = kinds[b];
  if (k === undefined) throw notWasm(`unknown import/export kind ${b}`);
  return k;
}

function notWasm(problem: string): AmeideError {
  return AmeideError.invalidArgument(
    `not a WebAssembly module: ${problem}`,
    [{ field: 'module', description: problem }],
    { reason: 'NOT_WASM', domain: 'ameide.extensions' },
  );
}

/** A cursor over the binary; every read is bounds-checked. */
class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  atEnd(): boolean {
    return this.pos >= this.bytes.byteLength;
  }

  byte(): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw notWasm('it ends in the middle of a section');
    this.pos++;
    return b;
  }

  u32le(): number {
    return (this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24)) >>> 0;
  }

  /** Unsigned LEB128; memory64 limits may need more than 32 bits, so arithmetic, not shifts. */
  leb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw notWasm('an integer is longer than 10 bytes');
  }

  name(): string {
    const len = this.leb();
    if (this.pos + len > this.bytes.byteLength) throw notWasm('a name runs past the end');
    const raw = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    try {
      return utf8.decode(raw);
    } catch {
      throw notWasm('a name is not UTF-8');
    }
  }

  limits(): {
    initialPages: number;
    maximumPages: number | undefined;
    shared: boolean;
    memory64: boolean;
  } {
    const flags = this.byte();
    if (flags > 0x07) throw notWasm(`unknown limits flags 0x${flags.toString(16)}`);
    const initialPages = this.leb();
    const maximumPages = flags & 0x01 ? this.leb() : undefined;
    return {
      initialPages,
      maximumPages,
      shared: (flags & 0x02) !== 0,
      memory64: (flags & 0x04) !== 0,
    };
  }
}
