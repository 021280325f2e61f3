// Misbehaving guests for the sandbox tests: one module, one entry point per misbehaviour. The
// host must contain each of them (deadline, memory limit, output cap, host-call checks).
import { allocBytes, fail, hostCall, log, readInput, writeOutput } from './lib/abi';
import { parse, quote } from './lib/json';

let trapInAlloc = false;

export function alloc(len: i32): usize {
  if (trapInAlloc) unreachable();
  return allocBytes(len);
}

/** A well-behaved entry: returns {"echo": input}. */
export function echo(ptr: usize, len: i32): u64 {
  return writeOutput('{"echo":' + readInput(ptr, len) + '}');
}

let spins: i64 = 0;

/** Never returns. */
export function loop(_ptr: usize, _len: i32): u64 {
  while (spins >= 0) spins++;
  return u64(spins);
}

/** Grows memory until growing fails, then keeps asking. */
export function bomb(_ptr: usize, _len: i32): u64 {
  while (true) {
    if (memory.grow(16) < 0) unreachable();
  }
  return 0;
}

/** Allocates until the allocator cannot get more memory. */
export function hoard(_ptr: usize, _len: i32): u64 {
  const keep = new Array<ArrayBuffer>();
  while (true) keep.push(new ArrayBuffer(1 << 20));
  return 0;
}

function deep(n: i32): i32 {
  return n == 0 ? 0 : deep(n + 1) + 1;
}

/** Recurses without end. */
export function recurse(_ptr: usize, _len: i32): u64 {
  return writeOutput(deep(1).toString());
}

/** Returns a JSON string of input.n bytes. */
export function big(ptr: usize, len: i32): u64 {
  const n = i32(parse(readInput(ptr, len)).get('n').num);
  return writeOutput('"' + 'x'.repeat(n) + '"');
}

/** Calls host method input.method with input.request; returns the reply envelope. */
export function call(ptr: usize, len: i32): u64 {
  const input = parse(readInput(ptr, len));
  const reply = hostCall(input.get('method').str, input.get('request').str);
  return writeOutput('{"reply":' + reply + '}');
}

/** Makes a host call, then traps before returning. */
export function callThenTrap(ptr: usize, len: i32): u64 {
  const input = parse(readInput(ptr, len));
  hostCall(input.get('method').str, input.get('request').str);
  unreachable();
  return 0;
}

/** Reports a business error through ameide.fail. */
export function refuse(ptr: usize, len: i32): u64 {
  return fail('order ' + quote(readInput(ptr, len)) + ' cannot be priced');
}

/** Fails an assertion (AssemblyScript calls env.abort). */
export function assertFalse(_ptr: usize, len: i32): u64 {
  assert(len < 0, 'input must be empty');
  return 0;
}

/** Returns bytes that are not JSON. */
export function garbage(_ptr: usize, _len: i32): u64 {
  return writeOutput('not json');
}

/** Logs 1,000 lines, then answers like echo. */
export function chatty(ptr: usize, len: i32): u64 {
  for (let i = 0; i < 1000; i++) log(1, 'line ' + i.toString());
  return echo(ptr, len);
}

/** Makes a host call whose reply cannot be delivered: alloc traps while the host writes it. */
export function trapInReply(ptr: usize, len: i32): u64 {
  const input = parse(readInput(ptr, len));
  trapInAlloc = true;
  return writeOutput(hostCall(input.get('method').str, input.get('request').str));
}
