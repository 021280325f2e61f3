/** Limits of a memory, in pages. */
interface Limits {
  readonly initial: number;
  readonly maximum?: number;
}

/** What {@link wasmModuleBytes} writes. */
export interface WasmModuleSpec {
  /** Imports `env.memory` with these limits. */
  readonly importMemory?: Limits;
  /** Defines a memory of the module's own. */
  readonly ownMemory?: Limits;
  /** Function imports (type `() -> ()`). */
  readonly functionImports?: readonly { module: string; name: string }[];
  /** Exported entry points `(i32, i32) -> i64` returning 0; `alloc` is always exported. */
  readonly entryPoints?: readonly string[];
}

const enc = new TextEncoder();

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const name = (s: string) => [...leb(enc.encode(s).length), ...enc.encode(s)];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const limits = (l: Limits) =>
  l.maximum === undefined
    ? [0x00, ...leb(l.initial)]
    : [0x01, ...leb(l.initial), ...leb(l.maximum)];

/**
 * A WebAssembly binary written byte by byte, for modules a compiler would not emit on purpose:
 * one that defines its own memory, declares no maximum, or imports outside the ABI.
 */
export function wasmModuleBytes(spec: WasmModuleSpec): Uint8Array {
  const fnImports = spec.functionImports ?? [];
  const entries = spec.entryPoints ?? ['run'];
  const types = section(1, [
    ...leb(3),
    ...[0x60, 0x00, 0x00], // 0: () -> ()
    ...[0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7e], // 1: (i32, i32) -> i64
    ...[0x60, 0x01, 0x7f, 0x01, 0x7f], // 2: (i32) -> i32
  ]);
  const imports: number[][] = fnImports.map((i) => [
    ...name(i.module),
    ...name(i.name),
    0x00,
    0x00,
  ]);
  if (spec.importMemory)
    imports.push([...name('env'), ...name('memory'), 0x02, ...limits(spec.importMemory)]);
  const importSection = imports.length ? section(2, vec(imports)) : [];
  const functions = section(3, vec([[0x02], ...entries.map(() => [0x01])]));
  const memory = spec.ownMemory ? section(5, vec([limits(spec.ownMemory)])) : [];
  const base = fnImports.length;
  const exports = section(
    7,
    vec([
      [...name('alloc'), 0x00, ...leb(base)],
      ...entries.map((e, i) => [...name(e), 0x00, ...leb(base + 1 + i)]),
    ]),
  );
  const body = (code: number[]) => [...leb(code.length + 1), 0x00, ...code];
  const code = section(
    10,
    vec([body([0x41, 0x00, 0x0b]), ...entries.map(() => body([0x42, 0x00, 0x0b]))]),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...importSection,
    ...functions,
    ...memory,
    ...exports,
    ...code,
  ]);
}
