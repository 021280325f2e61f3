// The Ameide guest ABI for AssemblyScript (ABI.md). Guest sources import these helpers; nothing
// here is specific to one extension.

import { fail as failRaw, host_call as hostCallRaw, log as logRaw } from './ameide';

/** Reserves `len` bytes the host writes the input into (exported as `alloc` by each guest). */
export function allocBytes(len: i32): usize {
  return heap.alloc(usize(len));
}

/** The input JSON text the host wrote at `ptr`. */
export function readInput(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, usize(len));
}

/** Packs the UTF-8 bytes of `json` into the entry point's return value: ptr << 32 | len. */
export function writeOutput(json: string): u64 {
  const bytes = String.UTF8.encode(json);
  return (u64(changetype<usize>(bytes)) << 32) | u64(bytes.byteLength);
}

/** Calls a host method (allowlisted proto method name) with a JSON request; returns the JSON reply envelope. */
export function hostCall(method: string, requestJson: string): string {
  const m = String.UTF8.encode(method);
  const r = String.UTF8.encode(requestJson);
  const packed = hostCallRaw(
    changetype<usize>(m),
    m.byteLength,
    changetype<usize>(r),
    r.byteLength,
  );
  return String.UTF8.decodeUnsafe(usize(packed >> 32), usize(packed & 0xffffffff));
}

/** Writes a log line through the host (0 debug, 1 info, 2 warn, 3 error). */
export function log(level: i32, message: string): void {
  const b = String.UTF8.encode(message);
  logRaw(level, changetype<usize>(b), b.byteLength);
}

/** Reports a business error: the invocation fails with this message (the return value is ignored). */
export function fail(message: string): u64 {
  const b = String.UTF8.encode(message);
  failRaw(changetype<usize>(b), b.byteLength);
  return 0;
}
