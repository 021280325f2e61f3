import type { ExternKind } from './inspect-module.js';

/**
 * The imports a guest may declare (ABI.md). Everything else is refused before the module runs
 * (rule EXT003), so a guest cannot reach WASI, timers, randomness or anything the host did not
 * choose to give it.
 */
export const GUEST_IMPORTS: readonly { module: string; name: string; kind: ExternKind }[] = [
  { module: 'env', name: 'memory', kind: 'memory' },
  // AssemblyScript calls env.abort on failed assertions and runtime errors.
  { module: 'env', name: 'abort', kind: 'function' },
  { module: 'ameide', name: 'host_call', kind: 'function' },
  { module: 'ameide', name: 'log', kind: 'function' },
  { module: 'ameide', name: 'fail', kind: 'function' },
];

/** The export the host calls to reserve guest memory for the input: `alloc(len: i32) -> i32`. */
export const GUEST_ALLOC_EXPORT = 'alloc';

/** True when `module.name` of `kind` is part of the guest ABI. */
export function isGuestImport(module: string, name: string, kind: ExternKind): boolean {
  return GUEST_IMPORTS.some((i) => i.module === module && i.name === name && i.kind === kind);
}
