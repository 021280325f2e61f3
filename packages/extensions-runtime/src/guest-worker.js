// The worker thread a guest runs in (plain JavaScript so that it runs without a TypeScript
// loader, in tests and in production alike). One invocation at a time: a fresh
// WebAssembly.Memory (its maximum chosen by the host) and a fresh instance per invocation, so
// nothing of one tenant's call survives into the next. The protocol with the main thread is in
// worker-pool.ts; the guest ABI in ../ABI.md.
import { parentPort, workerData } from 'node:worker_threads';

// Control words of the shared buffer: [0] state, [1] reply length; the reply follows at 8.
// (state 1, a reply, is what the main thread writes when it is not ABORT)
const STATE_WAITING = 0;
const STATE_ABORT = 2;
const HEADER_BYTES = 8;
const PAGE = 65536;
const MAX_LOG_LINES = 100;
const MAX_LOG_BYTES = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16 = new TextDecoder('utf-16le');
// Log lines are cut at a byte bound, maybe inside a character: decoded leniently.
const lenient = new TextDecoder('utf-8');

class GuestAbort extends Error {}
class HostAbort extends Error {}

if (!parentPort) throw new Error('guest-worker.js must run in a worker thread');
const port = parentPort;

// Compiled modules by key (hash), as the host sent them; the host tracks what this worker
// holds and says when to forget (it clears its own record at the same bound).
const modules = new Map();

port.on('message', (msg) => {
  if (msg.type !== 'invoke') return;
  const result = invoke(msg);
  // The output was copied out of guest memory for this message alone: moved, not copied.
  port.postMessage(result, result.output ? [result.output.buffer] : []);
});
// The host starts an invocation's deadline only once its worker is ready, so that a worker's
// start-up is never charged to the guest.
port.postMessage({ type: 'ready' });

function invoke(msg) {
  if (msg.forget) modules.clear();
  if (msg.module) modules.set(msg.moduleKey, msg.module);
  const module = modules.get(msg.moduleKey);
  const memory = new WebAssembly.Memory({
    initial: msg.initialPages,
    maximum: msg.maximumPages,
  });
  const control = new Int32Array(workerData.shared, 0, 2);
  const reply = new Uint8Array(workerData.shared, HEADER_BYTES);
  let failure;
  let hostCalls = 0;
  let logLines = 0;
  let exports;

  const bytesAt = (ptr, len) => {
    const buf = memory.buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    }
    return new Uint8Array(buf, ptr, len);
  };
  const stringAt = (ptr, len) => utf8.decode(bytesAt(ptr, len));
  // AssemblyScript strings: UTF-16LE, their byte length in the object header just before them.
  const asStringAt = (ptr) => {
    if (ptr === 0) return '';
    const len = new DataView(memory.buffer).getUint32(ptr - 4, true);
    return utf16.decode(bytesAt(ptr, len));
  };

  const imports = {
    env: {
      memory,
      abort(msgPtr, filePtr, line, column) {
        let text;
        try {
          text = `${asStringAt(msgPtr)} at ${asStringAt(filePtr)}:${line}:${column}`;
        } catch {
          text = `abort at line ${line}`;
        }
        throw new GuestAbort(text);
      },
    },
    ameide: {
      host_call(methodPtr, methodLen, requestPtr, requestLen) {
        hostCalls++;
        const method = stringAt(methodPtr, methodLen);
        const request = stringAt(requestPtr, requestLen);
        Atomics.store(control, 0, STATE_WAITING);
        port.postMessage({ type: 'hostCall', id: msg.id, method, request });
        // The guest is synchronous: block until the main thread answers. No timeout here:
        // the host's deadline terminates this thread if the answer does not come in time.
        Atomics.wait(control, 0, STATE_WAITING);
        if (Atomics.load(control, 0) === STATE_ABORT) throw new HostAbort('host call refused');
        const len = Atomics.load(control, 1);
        const answer = reply.slice(0, len);
        const ptr = exports.alloc(len) >>> 0;
        bytesAt(ptr, len).set(answer);
        return (BigInt(ptr) << 32n) | BigInt(len);
      },
      log(level, ptr, len) {
        // Bounded, so that a guest cannot flood the host with messages.
        if (++logLines > MAX_LOG_LINES) return;
        const message = lenient.decode(bytesAt(ptr, Math.min(len, MAX_LOG_BYTES)));
        port.postMessage({ type: 'log', id: msg.id, level, message });
      },
      fail(ptr, len) {
        failure = stringAt(ptr, len);
      },
    },
  };

  const pages = () => memory.buffer.byteLength / PAGE;
  try {
    const instance = new WebAssembly.Instance(module, imports);
    exports = instance.exports;
    const entry = exports[msg.entryPoint];
    if (typeof entry !== 'function' || typeof exports.alloc !== 'function') {
      return {
        type: 'result',
        id: msg.id,
        ok: false,
        kind: 'abi',
        message: `exports ${msg.entryPoint} and alloc must be functions`,
        memoryPages: pages(),
        hostCalls,
      };
    }
    const input = msg.input;
    const inPtr = exports.alloc(input.byteLength) >>> 0;
    bytesAt(inPtr, input.byteLength).set(input);
    const packed = entry(inPtr, input.byteLength);
    if (failure !== undefined) {
      return {
        type: 'result',
        id: msg.id,
        ok: false,
        kind: 'guest_failed',
        message: failure,
        memoryPages: pages(),
        hostCalls,
      };
    }
    if (typeof packed !== 'bigint') {
      return {
        type: 'result',
        id: msg.id,
        ok: false,
        kind: 'abi',
        message: `entry point ${msg.entryPoint} must return an i64 (ptr << 32 | len)`,
        memoryPages: pages(),
        hostCalls,
      };
    }
    const outPtr = Number((packed >> 32n) & 0xffffffffn);
    const outLen = Number(packed & 0xffffffffn);
    if (outLen > msg.maxOutputBytes) {
      return {
        type: 'result',
        id: msg.id,
        ok: false,
        kind: 'output_too_large',
        message: String(outLen),
        memoryPages: pages(),
        hostCalls,
      };
    }
    // Copied out of guest memory: the memory dies with this invocation.
    const output = bytesAt(outPtr, outLen).slice();
    return { type: 'result', id: msg.id, ok: true, output, memoryPages: pages(), hostCalls };
  } catch (err) {
    return {
      type: 'result',
      id: msg.id,
      ok: false,
      ...classify(err),
      memoryPages: pages(),
      hostCalls,
    };
  }
}

function classify(err) {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof HostAbort) return { kind: 'host_abort', message };
  if (err instanceof GuestAbort) return { kind: 'guest_abort', message };
  if (err instanceof WebAssembly.LinkError) return { kind: 'link_error', message };
  if (err instanceof RangeError && /call stack/i.test(message))
    return { kind: 'stack_overflow', message };
  if (err instanceof WebAssembly.RuntimeError) return { kind: 'trap', message };
  if (err instanceof TypeError && /UTF-8|encoded data/i.test(message))
    return { kind: 'abi', message: 'a string the guest passed is not UTF-8' };
  return { kind: 'error', message };
}
