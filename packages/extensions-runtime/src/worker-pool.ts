import { Worker } from 'node:worker_threads';
import type { WasmModule } from './wasm-engine.js';

/** What the main thread sends a worker for one invocation. */
export interface GuestJob {
  readonly module: WasmModule;
  /** Identifies the module (its hash): workers keep compiled modules by it. */
  readonly moduleKey: string;
  readonly entryPoint: string;
  readonly input: Uint8Array;
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly maxOutputBytes: number;
  readonly timeoutMs: number;
  /** Answers a guest's host call; `abort` ends the invocation (e.g. a refused call). */
  readonly onHostCall: (method: string, request: string) => Promise<HostCallAnswer>;
  readonly onLog?: (level: number, message: string) => void;
  /** Ends the invocation early: taken out of the queue, or its worker replaced. */
  readonly signal?: AbortSignal;
}

/** The main thread's answer to a host call: bytes for the guest, or stop the guest. */
export type HostCallAnswer = { readonly reply: Uint8Array } | { readonly abort: true };

/** How a guest invocation ended, as the worker (or the pool, for deadlines and crashes) saw it. */
export type GuestOutcome =
  | {
      readonly ok: true;
      readonly output: Uint8Array;
      readonly memoryPages: number;
      readonly hostCalls: number;
    }
  | {
      readonly ok: false;
      readonly kind: GuestFailureKind;
      readonly message: string;
      /** Pages in use when it failed; undefined when the worker was lost with it. */
      readonly memoryPages: number | undefined;
      readonly hostCalls: number;
    };

export type GuestFailureKind =
  | 'timeout'
  | 'trap'
  | 'stack_overflow'
  | 'link_error'
  | 'guest_abort'
  | 'guest_failed'
  | 'host_abort'
  | 'output_too_large'
  | 'abi'
  | 'worker_error'
  | 'closed'
  | 'aborted'
  | 'busy'
  | 'error';

/** Counters of a pool, for tests, benchmarks and health pages. */
export interface WorkerPoolStats {
  readonly workers: number;
  readonly busy: number;
  /** Workers started and listening (the others are starting, e.g. replacements). */
  readonly ready: number;
  readonly queued: number;
  /** Workers replaced since start (deadline, crash). */
  readonly replacements: number;
}

/** A fixed-size pool of guest worker threads. */
export interface WorkerPool {
  run(job: GuestJob): Promise<GuestOutcome>;
  /** Starts the workers if they are not yet, and resolves once every one has started. */
  ready(): Promise<void>;
  stats(): WorkerPoolStats;
  close(): Promise<void>;
}

export interface WorkerPoolOptions {
  readonly size: number;
  /** Capacity of the shared buffer a host call's reply travels in. */
  readonly maxHostReplyBytes: number;
  /** Invocations that may wait for a worker; more are refused at once. Unbounded by default. */
  readonly maxQueued?: number;
  /** The worker script; `guest-worker.js` unless a test stands in a failing one. */
  readonly workerUrl?: URL;
}

const STATE_REPLY = 1;
const STATE_ABORT = 2;
const HEADER_BYTES = 8;
/** Workers in a row that die before they are ready, after which the pool stops replacing them. */
const MAX_START_FAILURES = 3;
/** Compiled modules a worker keeps before it forgets them all. */
const WORKER_MODULES = 32;

const guestWorkerUrl = new URL('./guest-worker.js', import.meta.url);

interface Running {
  readonly id: number;
  readonly job: GuestJob;
  readonly resolve: (outcome: GuestOutcome) => void;
  readonly timer: NodeJS.Timeout;
  hostCalls: number;
}

interface Slot {
  worker: Worker;
  /** Host-call replies; a new one per worker, so a dying worker cannot touch its successor's. */
  shared: SharedArrayBuffer;
  /** Module keys this worker has been sent (it keeps the compiled modules). */
  modules: Set<string>;
  running: Running | undefined;
  /** The worker has started and listens; only ready workers get invocations. */
  ready: boolean;
}

interface WorkerMessage {
  readonly type: 'ready' | 'result' | 'hostCall' | 'log';
  readonly id: number;
  readonly ok?: boolean;
  readonly output?: Uint8Array;
  readonly kind?: GuestFailureKind;
  readonly message?: string;
  readonly memoryPages?: number;
  readonly hostCalls?: number;
  readonly method?: string;
  readonly request?: string;
  readonly level?: number;
}

/** A failed outcome the host decided (the guest reported no memory figure). */
function failed(kind: GuestFailureKind, message: string, hostCalls = 0): GuestOutcome {
  return { ok: false, kind, message, memoryPages: undefined, hostCalls };
}

/**
 * Runs guests on `size` worker threads (started by the first invocation or `ready()`), one
 * invocation at a time per worker, and queues the rest.
 * A deadline terminates the worker and starts a replacement, so an infinite loop costs one
 * worker start, never the host; a worker that dies or reports an `error` event fails the
 * invocation it was running and is replaced the same way.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const slots: Slot[] = [];
  const queue: { job: GuestJob; resolve: (o: GuestOutcome) => void }[] = [];
  let nextId = 1;
  let replacements = 0;
  let closed = false;
  const readyWaiters: (() => void)[] = [];
  let startFailures = 0;
  let broken: string | undefined;
  const brokenOutcome = (): GuestOutcome => failed('worker_error', broken ?? '');
  const allReady = () => slots.every((s) => s.ready);

  const spawn = (slot: Slot): void => {
    slot.shared = new SharedArrayBuffer(HEADER_BYTES + options.maxHostReplyBytes);
    const worker = new Worker(options.workerUrl ?? guestWorkerUrl, {
      workerData: { shared: slot.shared },
      // The worker script is plain JavaScript and needs none of the host's flags; inheriting
      // them breaks it (e.g. --input-type) or exposes it (e.g. --inspect).
      execArgv: [],
    });
    slot.worker = worker;
    slot.ready = false;
    slot.modules = new Set();
    worker.on('message', (msg: WorkerMessage) => onMessage(slot, worker, msg));
    // A guest cannot throw here (the worker catches everything it runs), but a worker can
    // still fail (e.g. out of memory of its own): fail the invocation, never the host.
    worker.on('error', (err) => lose(slot, worker, `worker failed: ${err.message}`));
    worker.on('exit', (code) => lose(slot, worker, `worker exited with code ${code}`));
  };

  const newSlot = (): Slot => {
    const slot: Slot = {
      worker: undefined as unknown as Worker,
      shared: undefined as unknown as SharedArrayBuffer,
      modules: new Set(),
      running: undefined,
      ready: false,
    };
    return slot;
  };

  // Workers start with the first invocation (or `ready()`), not with the pool: a host that
  // never runs an extension (most `ameide dev` sessions) keeps no idle isolates (≈10 MB each).
  let started = false;
  const startWorkers = (): void => {
    if (started || closed) return;
    started = true;
    for (const slot of slots) spawn(slot);
  };

  const finish = (slot: Slot, outcome: GuestOutcome): void => {
    const running = slot.running;
    if (!running) return;
    clearTimeout(running.timer);
    slot.running = undefined;
    running.resolve(outcome);
    dispatch();
  };

  /** Replaces the worker of `slot` (its invocation has already been settled or is now). */
  const replace = (slot: Slot, worker: Worker): void => {
    if (slot.worker !== worker || closed) return;
    replacements++;
    worker.removeAllListeners('exit');
    // Termination runs in the background: the guest's memory is the host's, so it is quick,
    // and the replacement does not wait for it.
    void worker.terminate();
    spawn(slot);
  };

  const lose = (slot: Slot, worker: Worker, message: string): void => {
    if (slot.worker !== worker || closed) return;
    const hostCalls = slot.running?.hostCalls ?? 0;
    if (!slot.ready && ++startFailures >= MAX_START_FAILURES) {
      // Workers that die before they listen would be replaced in a tight loop: stop, and fail
      // what waits (and what comes) instead of burning the host's CPU.
      broken = `guest workers do not start: ${message}`;
      for (const q of queue.splice(0)) q.resolve(brokenOutcome());
      for (const w of readyWaiters.splice(0)) w();
      keepAlive();
      return;
    }
    replace(slot, worker);
    finish(slot, failed('worker_error', message, hostCalls));
  };

  const onMessage = (slot: Slot, worker: Worker, msg: WorkerMessage): void => {
    if (slot.worker !== worker) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      startFailures = 0;
      if (allReady()) for (const w of readyWaiters.splice(0)) w();
      dispatch();
      return;
    }
    const running = slot.running;
    if (!running || msg.id !== running.id) return;
    if (msg.type === 'log') {
      running.job.onLog?.(msg.level ?? 1, msg.message ?? '');
    } else if (msg.type === 'hostCall') {
      running.hostCalls++;
      void answerHostCall(slot, running, msg.method ?? '', msg.request ?? '');
    } else if (msg.ok === true) {
      finish(slot, {
        ok: true,
        output: msg.output ?? new Uint8Array(),
        memoryPages: msg.memoryPages ?? 0,
        hostCalls: msg.hostCalls ?? 0,
      });
    } else {
      finish(slot, {
        ok: false,
        kind: msg.kind ?? 'error',
        message: msg.message ?? '',
        memoryPages: msg.memoryPages,
        hostCalls: msg.hostCalls ?? 0,
      });
    }
  };

  const answerHostCall = async (
    slot: Slot,
    running: Running,
    method: string,
    request: string,
  ): Promise<void> => {
    let answer: HostCallAnswer;
    try {
      answer = await running.job.onHostCall(method, request);
    } catch {
      answer = { abort: true };
    }
    // The invocation may have ended meanwhile (deadline): its worker is gone, and the shared
    // buffer now belongs to the next invocation, so the late answer is dropped.
    if (slot.running !== running) return;
    const control = new Int32Array(slot.shared, 0, 2);
    if ('abort' in answer) {
      Atomics.store(control, 0, STATE_ABORT);
    } else {
      new Uint8Array(slot.shared, HEADER_BYTES).set(answer.reply);
      Atomics.store(control, 1, answer.reply.byteLength);
      Atomics.store(control, 0, STATE_REPLY);
    }
    Atomics.notify(control, 0);
  };

  const start = (slot: Slot, job: GuestJob, resolve: (o: GuestOutcome) => void): void => {
    const id = nextId++;
    const worker = slot.worker;
    const timer = setTimeout(() => {
      const hostCalls = slot.running?.hostCalls ?? 0;
      replace(slot, worker);
      finish(slot, failed('timeout', `no answer within ${job.timeoutMs} ms`, hostCalls));
    }, job.timeoutMs);
    slot.running = { id, job, resolve, timer, hostCalls: 0 };
    // A worker keeps the modules it was sent (a bounded number): posting a module again on
    // every invocation costs more than running a small guest.
    const known = slot.modules.has(job.moduleKey);
    if (!known) {
      if (slot.modules.size >= WORKER_MODULES) slot.modules.clear();
      slot.modules.add(job.moduleKey);
    }
    worker.postMessage(
      {
        type: 'invoke',
        id,
        moduleKey: job.moduleKey,
        module: known ? undefined : job.module,
        forget: slot.modules.size === 1 && !known,
        entryPoint: job.entryPoint,
        input: job.input,
        initialPages: job.initialPages,
        maximumPages: job.maximumPages,
        maxOutputBytes: job.maxOutputBytes,
      },
      // The input was encoded for this invocation alone: moved, not copied.
      [job.input.buffer as ArrayBuffer],
    );
  };

  const dispatch = (): void => {
    for (const slot of slots) {
      if (queue.length === 0) break;
      if (slot.running || !slot.ready) continue;
      const next = queue.shift()!;
      start(slot, next.job, next.resolve);
    }
    keepAlive();
  };

  // Idle workers must not keep the host process alive (a CLI or a host that fails to start
  // would never exit); a worker with work to do, or one that queued work or ready() waits
  // for, must.
  const keepAlive = (): void => {
    if (!started) return;
    for (const slot of slots) {
      if (slot.running || queue.length > 0 || readyWaiters.length > 0) slot.worker.ref();
      else slot.worker.unref();
    }
  };

  for (let i = 0; i < options.size; i++) slots.push(newSlot());

  return {
    run(job) {
      if (closed) {
        return Promise.resolve(failed('closed', 'runtime closed'));
      }
      if (broken !== undefined) return Promise.resolve(brokenOutcome());
      if (queue.length >= (options.maxQueued ?? Infinity)) {
        return Promise.resolve(
          failed('busy', `${queue.length} invocations already wait for a worker`),
        );
      }
      return new Promise<GuestOutcome>((resolve) => {
        const signal = job.signal;
        const aborted = (hostCalls: number): GuestOutcome =>
          failed('aborted', 'the caller gave up', hostCalls);
        if (signal?.aborted) return resolve(aborted(0));
        const onAbort = () => {
          const queued = queue.indexOf(entry);
          if (queued >= 0) {
            queue.splice(queued, 1);
            keepAlive();
            settle(aborted(0));
            return;
          }
          const slot = slots.find((s) => s.running?.job === job);
          if (!slot) return;
          const hostCalls = slot.running?.hostCalls ?? 0;
          replace(slot, slot.worker);
          finish(slot, aborted(hostCalls));
        };
        const settle = (outcome: GuestOutcome) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        };
        const entry = { job, resolve: settle };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
        startWorkers();
        dispatch();
      });
    },
    ready() {
      startWorkers();
      if (allReady() || broken !== undefined) return Promise.resolve();
      return new Promise<void>((resolve) => {
        readyWaiters.push(resolve);
        keepAlive();
      });
    },
    stats() {
      return {
        workers: slots.length,
        busy: slots.filter((s) => s.running).length,
        ready: slots.filter((s) => s.ready).length,
        queued: queue.length,
        replacements,
      };
    },
    async close() {
      closed = true;
      for (const w of readyWaiters.splice(0)) w();
      for (const q of queue.splice(0)) {
        q.resolve(failed('closed', 'runtime closed'));
      }
      if (!started) return;
      await Promise.all(
        slots.map(async (slot) => {
          if (slot.running) {
            clearTimeout(slot.running.timer);
            slot.running.resolve(failed('closed', 'runtime closed', slot.running.hostCalls));
            slot.running = undefined;
          }
          slot.worker.removeAllListeners();
          // An error during shutdown has no invocation left to fail; it must not crash the host.
          slot.worker.on('error', () => {});
          await slot.worker.terminate();
        }),
      );
    },
  };
}
