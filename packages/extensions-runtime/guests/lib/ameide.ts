// The host functions of the guest ABI (ABI.md). AssemblyScript imports a declared function
// from the module named after its file, so this file must stay `ameide.ts`.

/** Calls a host method; returns the reply envelope as `ptr << 32 | len`. */
export declare function host_call(
  methodPtr: usize,
  methodLen: i32,
  requestPtr: usize,
  requestLen: i32,
): u64;

/** Writes a UTF-8 log line (0 debug, 1 info, 2 warn, 3 error). */
export declare function log(level: i32, ptr: usize, len: i32): void;

/** Reports a business error (UTF-8 message); the invocation fails with it. */
export declare function fail(ptr: usize, len: i32): void;
