import { availableParallelism } from 'node:os';
import type { Meter } from '@opentelemetry/api';
import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode, type FieldViolation } from '@ameide/errors';
import { createCircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { createExtensionMetrics } from './extension-metrics.js';
import { bridgeHostCall, type HostCallPort } from './host-call-bridge.js';
import { WASM_PAGE_BYTES } from './inspect-module.js';
import type { JsonValue } from './json-value.js';
import { createModuleCache, type ModuleCacheStats } from './module-cache.js';
import { validateModuleInfo } from './validate-module.js';
import { createWorkerPool, type GuestOutcome, type WorkerPoolStats } from './worker-pool.js';

/** The limits one extension runs under; all are enforced by the host, none by the guest. */
export interface ExtensionLimits {
  /** Largest guest memory, in 64 KiB pages; the module's declared maximum may not exceed it. */
  readonly maxMemoryPages: number;
  /** Deadline of one invocation on its worker, in ms (queueing for a worker not included). */
  readonly timeoutMs: number;
  /** Largest input, as UTF-8 JSON bytes. */
  readonly maxInputBytes: number;
  /** Largest output, as UTF-8 JSON bytes. */
  readonly maxOutputBytes: number;
}

/** A published extension, as the host hands it to {@link ExtensionRuntime.invoke}. */
export interface Extension {
  readonly name: string;
  readonly version: string;
  /** SHA-256 of the module bytes (hex, optionally `sha256:`-prefixed); the compiled-module cache key. */
  readonly hash: string;
  /** The module bytes, or a loader called only when the hash is not cached. */
  readonly module: Uint8Array | (() => Promise<Uint8Array>);
  readonly limits: ExtensionLimits;
  /** Proto method names the guest may call, e.g. `ameide.sales.v1.OrderService/GetOrder`. */
  readonly allowedHostCalls: readonly string[];
  /** The exported function the host calls: `(ptr: i32, len: i32) -> i64` (ABI.md). */
  readonly entryPoint: string;
}

/** One invocation: which extension, with what input, for whom. */
export interface InvokeRequest {
  readonly extension: Extension;
  readonly input: JsonValue;
  /** The caller's context; host calls run with it and only for its tenant. */
  readonly context: RequestContext;
  /**
   * Ends the invocation when the caller gives up (e.g. its RPC deadline, `AbortSignal.timeout`):
   * a queued one is dropped, a running one's worker replaced. Fails with `deadline_exceeded` for
   * a timeout, `canceled` otherwise.
   */
  readonly signal?: AbortSignal;
}

/** What a successful invocation returns. */
export interface InvocationResult {
  readonly output: JsonValue;
  /** Guest memory at the end of the call, in 64 KiB pages. */
  readonly memoryPages: number;
  readonly hostCalls: number;
}

/** A line a guest logged through `ameide.log`. */
export interface GuestLogEntry {
  readonly extension: string;
  readonly tenantId: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

/** Settings of {@link createExtensionRuntime}. */
export interface ExtensionRuntimeOptions {
  /** Worker threads; default: the machine's parallelism. */
  readonly poolSize?: number;
  /** Performs allowlisted host calls; without it every host call is answered `unavailable`. */
  readonly hostCalls?: HostCallPort;
  /** Where the metrics go; default: the global meter provider. */
  readonly meter?: Meter;
  /** Per-extension circuit breaker (default: opens after 5 consecutive failures for 30 s). */
  readonly circuitBreaker?: CircuitBreakerOptions;
  /**
   * Invocations that may wait for a free worker; beyond it `invoke` fails at once with
   * `resource_exhausted` (`EXTENSION_RUNTIME_BUSY`), so a flood cannot queue without bound.
   * 10,000 by default.
   */
  readonly maxQueuedInvocations?: number;
  /** Largest reply one host call may hand the guest; 1 MiB by default. */
  readonly maxHostReplyBytes?: number;
  /** Compiled modules kept; 64 by default. */
  readonly moduleCacheSize?: number;
  /** Largest module accepted; 8 MiB by default. */
  readonly maxModuleBytes?: number;
  readonly onLog?: (entry: GuestLogEntry) => void;
}

/** Counters of a runtime. */
export interface ExtensionRuntimeStats {
  readonly pool: WorkerPoolStats;
  readonly modules: ModuleCacheStats;
}

/** Runs extensions; one per host process is enough. */
export interface ExtensionRuntime {
  /**
   * Runs the extension's entry point on `input` and returns its output. Every failure is an
   * AmeideError naming the extension: `resource_exhausted` (memory, input, output, stack),
   * `deadline_exceeded`, `permission_denied` (host call refused), `failed_precondition` (bad
   * module, link error, trap, guest error, circuit open), `invalid_argument` (bad descriptor
   * or input). The host process survives all of them.
   */
  invoke(request: InvokeRequest): Promise<InvocationResult>;
  /** The circuit of an extension: `closed`, `open` or `half-open`. */
  circuitState(extension: Pick<Extension, 'name' | 'version'>): 'closed' | 'open' | 'half-open';
  stats(): ExtensionRuntimeStats;
  /** Resolves once every worker has started (optional: invocations queue until a worker is). */
  ready(): Promise<void>;
  /** Stops every worker; pending invocations fail with `unavailable`. */
  close(): Promise<void>;
}

const DOMAIN = 'ameide.extensions';
const MAX_PAGES = 65_536;
const levels = ['debug', 'info', 'warn', 'error'] as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Creates the sandbox runtime: a pool of worker threads, each guest in a fresh instance over a
 * WebAssembly.Memory the host creates with the declared maximum (so memory.grow beyond it
 * fails inside the guest), a deadline per invocation enforced by terminating the worker, size
 * caps on input, output and host-call replies, compiled modules cached by hash, host calls
 * relayed to `hostCalls` with the caller's context, metrics, and a circuit breaker per
 * extension.
 */
export function createExtensionRuntime(options: ExtensionRuntimeOptions = {}): ExtensionRuntime {
  const poolSize = options.poolSize ?? availableParallelism();
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw AmeideError.invalidArgument(`poolSize must be a positive integer, not ${poolSize}`, [
      { field: 'poolSize', description: 'must be a positive integer' },
    ]);
  }
  const maxHostReplyBytes = options.maxHostReplyBytes ?? 1024 * 1024;
  const pool = createWorkerPool({
    size: poolSize,
    maxHostReplyBytes,
    maxQueued: options.maxQueuedInvocations ?? 10_000,
  });
  const cache = createModuleCache(options.moduleCacheSize ?? 64, options.maxModuleBytes);
  const breaker = createCircuitBreaker(options.circuitBreaker);
  const metrics = createExtensionMetrics(options.meter);

  const invoke = async (req: InvokeRequest): Promise<InvocationResult> => {
    const ext = req.extension;
    checkDescriptor(ext);
    const label = `${ext.name}@${ext.version}`;
    const input = encodeInput(label, req.input, ext.limits.maxInputBytes);

    const decision = breaker.check(label);
    if (!decision.allowed) {
      metrics.record({
        extension: ext.name,
        version: ext.version,
        durationMs: 0,
        outcome: 'EXTENSION_CIRCUIT_OPEN',
        memoryPages: undefined,
      });
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `extension ${label} is refused: its circuit is open after ${decision.failures} consecutive failures, until ${new Date(decision.openUntil).toISOString()}`,
        {
          reason: 'EXTENSION_CIRCUIT_OPEN',
          domain: DOMAIN,
          metadata: { extension: label, openUntil: new Date(decision.openUntil).toISOString() },
        },
      );
    }

    const started = performance.now();
    let memoryPages: number | undefined;
    try {
      const result = await run(label, ext, input, req.context, req.signal);
      memoryPages = result.memoryPages;
      breaker.record(label, true);
      metrics.record({
        extension: ext.name,
        version: ext.version,
        durationMs: performance.now() - started,
        outcome: 'ok',
        memoryPages,
      });
      return result;
    } catch (err) {
      const error = AmeideError.from(err);
      // A closed runtime or a caller that gave up is not the extension's failure.
      const notTheExtension =
        error.reason === 'EXTENSION_RUNTIME_CLOSED' ||
        error.reason === 'EXTENSION_ABORTED_BY_CALLER';
      if (notTheExtension) breaker.release(label);
      else breaker.record(label, false);
      metrics.record({
        extension: ext.name,
        version: ext.version,
        durationMs: performance.now() - started,
        outcome: error.reason,
        memoryPages: error.metadata['memoryPages']
          ? Number(error.metadata['memoryPages'])
          : undefined,
      });
      throw error;
    }
  };

  const run = async (
    label: string,
    ext: Extension,
    input: Uint8Array,
    context: RequestContext,
    signal: AbortSignal | undefined,
  ): Promise<InvocationResult> => {
    const source = ext.module;
    const compiled = await cache.get(label, ext.hash, () =>
      typeof source === 'function' ? source() : source,
    );
    const violations = validateModuleInfo(compiled.info, {
      maxMemoryPages: ext.limits.maxMemoryPages,
      entryPoint: ext.entryPoint,
      ...(options.maxModuleBytes === undefined ? {} : { maxModuleBytes: options.maxModuleBytes }),
    });
    if (violations.length > 0) {
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `extension ${label} may not run: ${violations.map((v) => v.description).join('; ')}`,
        {
          reason: 'EXTENSION_INVALID_MODULE',
          domain: DOMAIN,
          fieldViolations: violations,
          metadata: { extension: label },
        },
      );
    }
    const mem = compiled.info.memoryImport!;
    // The module's own maximum, which validation keeps within the extension's limit; memory
    // created with it satisfies the import and cannot grow past it.
    const maximumPages = mem.maximumPages!;
    // Set when the bridge refuses a host call: the worker only learns "stop", the caller gets this.
    let refusal: AmeideError | undefined;
    const outcome = await pool.run({
      module: compiled.module,
      moduleKey: compiled.key,
      entryPoint: ext.entryPoint,
      input,
      initialPages: mem.initialPages,
      maximumPages,
      maxOutputBytes: ext.limits.maxOutputBytes,
      timeoutMs: ext.limits.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      onHostCall: async (method, request) => {
        const decision = await bridgeHostCall({
          extension: label,
          method,
          request,
          allowedHostCalls: ext.allowedHostCalls,
          context,
          port: options.hostCalls,
          maxReplyBytes: maxHostReplyBytes,
        });
        if ('refused' in decision) {
          refusal = decision.refused;
          return { abort: true };
        }
        return { reply: decision.reply };
      },
      onLog: (level, message) =>
        options.onLog?.({
          extension: label,
          tenantId: context.tenantId,
          level: levels[level] ?? 'info',
          message,
        }),
    });
    if (outcome.ok) return decodeOutput(label, outcome);
    throw failure(label, ext.limits, maximumPages, outcome, refusal, signal);
  };

  return {
    invoke,
    circuitState: (ext) => breaker.state(`${ext.name}@${ext.version}`),
    stats: () => ({ pool: pool.stats(), modules: cache.stats() }),
    ready: () => pool.ready(),
    close: () => pool.close(),
  };
}

function checkDescriptor(ext: Extension): void {
  const problems: FieldViolation[] = [];
  for (const field of ['name', 'version', 'hash', 'entryPoint'] as const) {
    if (typeof ext[field] !== 'string' || ext[field] === '') {
      problems.push({ field: `extension.${field}`, description: 'must be a non-empty string' });
    }
  }
  const limits: readonly [keyof ExtensionLimits, number][] = [
    ['maxMemoryPages', MAX_PAGES],
    ['timeoutMs', 2_147_483_647],
    ['maxInputBytes', 2 ** 31],
    ['maxOutputBytes', 2 ** 31],
  ];
  for (const [field, max] of limits) {
    const v = ext.limits[field] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      problems.push({
        field: `extension.limits.${field}`,
        description: `must be an integer from 1 to ${max}`,
      });
    }
  }
  if (!Array.isArray(ext.allowedHostCalls)) {
    problems.push({
      field: 'extension.allowedHostCalls',
      description: 'must be a list of method names',
    });
  }
  if (problems.length > 0) {
    throw AmeideError.invalidArgument(
      `invalid extension ${String(ext.name)}@${String(ext.version)}: ${problems.map((p) => `${p.field} ${p.description}`).join('; ')}`,
      problems,
      { domain: DOMAIN },
    );
  }
}

function encodeInput(label: string, input: JsonValue, maxInputBytes: number): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (err) {
    throw AmeideError.invalidArgument(
      `input of extension ${label} is not JSON: ${(err as Error).message}`,
      [{ field: 'input', description: 'must be a JSON value' }],
      { domain: DOMAIN },
    );
  }
  if (text === undefined) {
    throw AmeideError.invalidArgument(
      `input of extension ${label} is not JSON`,
      [{ field: 'input', description: 'must be a JSON value' }],
      { domain: DOMAIN },
    );
  }
  const bytes = encoder.encode(text);
  if (bytes.byteLength > maxInputBytes) {
    throw new AmeideError(
      ErrorCode.ResourceExhausted,
      `input of extension ${label} is ${bytes.byteLength} bytes, more than its limit maxInputBytes = ${maxInputBytes}`,
      {
        reason: 'EXTENSION_INPUT_TOO_LARGE',
        domain: DOMAIN,
        metadata: { extension: label, limit: 'maxInputBytes' },
      },
    );
  }
  return bytes;
}

function decodeOutput(
  label: string,
  outcome: Extract<GuestOutcome, { ok: true }>,
): InvocationResult {
  let output: JsonValue;
  try {
    output = JSON.parse(decoder.decode(outcome.output)) as JsonValue;
  } catch {
    throw new AmeideError(
      ErrorCode.FailedPrecondition,
      `extension ${label} returned output that is not UTF-8 JSON`,
      { reason: 'EXTENSION_BAD_OUTPUT', domain: DOMAIN, metadata: { extension: label } },
    );
  }
  return { output, memoryPages: outcome.memoryPages, hostCalls: outcome.hostCalls };
}

/** The AmeideError of a failed guest outcome. */
function failure(
  label: string,
  limits: ExtensionLimits,
  maximumPages: number,
  outcome: Extract<GuestOutcome, { ok: false }>,
  refusal: AmeideError | undefined,
  signal: AbortSignal | undefined,
): AmeideError {
  const metadata: Record<string, string> = { extension: label };
  if (outcome.memoryPages !== undefined) metadata['memoryPages'] = String(outcome.memoryPages);
  const err = (code: ErrorCode, reason: string, message: string, limit?: string) =>
    new AmeideError(code, `extension ${label} ${message}`, {
      reason,
      domain: DOMAIN,
      metadata: limit === undefined ? metadata : { ...metadata, limit },
    });
  const memory = `${maximumPages} pages (${(maximumPages * WASM_PAGE_BYTES) / 1024} KiB)`;
  switch (outcome.kind) {
    case 'timeout':
      return err(
        ErrorCode.DeadlineExceeded,
        'EXTENSION_TIMEOUT',
        `did not finish within its limit timeoutMs = ${limits.timeoutMs}; its worker was replaced`,
        'timeoutMs',
      );
    case 'host_abort':
      if (refusal) {
        return new AmeideError(refusal.code, refusal.message, {
          reason: refusal.reason,
          domain: DOMAIN,
          metadata: { ...refusal.metadata, ...metadata },
        });
      }
      return err(ErrorCode.FailedPrecondition, 'EXTENSION_TRAP', 'was stopped during a host call');
    case 'output_too_large':
      return err(
        ErrorCode.ResourceExhausted,
        'EXTENSION_OUTPUT_TOO_LARGE',
        `returned ${outcome.message} bytes of output, more than its limit maxOutputBytes = ${limits.maxOutputBytes}`,
        'maxOutputBytes',
      );
    case 'stack_overflow':
      return err(
        ErrorCode.ResourceExhausted,
        'EXTENSION_STACK_OVERFLOW',
        'exhausted its call stack (recursion too deep)',
        'stack',
      );
    case 'link_error':
      return err(
        ErrorCode.FailedPrecondition,
        'EXTENSION_LINK_ERROR',
        `cannot be linked against the guest ABI: ${outcome.message}`,
      );
    case 'guest_failed':
      return err(ErrorCode.FailedPrecondition, 'EXTENSION_FAILED', `failed: ${outcome.message}`);
    case 'abi':
      return err(
        ErrorCode.FailedPrecondition,
        'EXTENSION_ABI',
        `broke the guest ABI: ${outcome.message}`,
      );
    case 'aborted': {
      const timedOut = (signal?.reason as { name?: string } | undefined)?.name === 'TimeoutError';
      return err(
        timedOut ? ErrorCode.DeadlineExceeded : ErrorCode.Canceled,
        'EXTENSION_ABORTED_BY_CALLER',
        timedOut ? "was stopped: the caller's deadline passed" : 'was stopped: the caller canceled',
      );
    }
    case 'busy':
      return err(
        ErrorCode.ResourceExhausted,
        'EXTENSION_RUNTIME_BUSY',
        `was not run: the runtime is busy (${outcome.message})`,
        'maxQueuedInvocations',
      );
    case 'closed':
      return err(
        ErrorCode.Unavailable,
        'EXTENSION_RUNTIME_CLOSED',
        'was not run: the runtime closed',
      );
    case 'worker_error':
      return err(
        ErrorCode.FailedPrecondition,
        'EXTENSION_CRASHED',
        `crashed its worker: ${outcome.message}`,
      );
    case 'trap':
    case 'guest_abort':
    case 'error':
      // memory.grow past the maximum does not trap, it returns -1, and the guest then gives up
      // (AssemblyScript's allocator traps); the host cannot see the failed grow itself. A trap
      // with the memory past half its maximum, where doubling is no longer possible, is
      // therefore reported as the memory limit, with the pages in the message.
      if (outcome.memoryPages !== undefined && outcome.memoryPages * 2 > maximumPages) {
        return err(
          ErrorCode.ResourceExhausted,
          'EXTENSION_MEMORY_LIMIT',
          `ran out of memory: it ${outcome.kind === 'guest_abort' ? 'aborted' : 'trapped'} (${outcome.message}) with ${outcome.memoryPages} of its ${memory} in use, where growing further exceeds its limit maxMemoryPages = ${limits.maxMemoryPages}`,
          'maxMemoryPages',
        );
      }
      return err(
        ErrorCode.FailedPrecondition,
        outcome.kind === 'guest_abort' ? 'EXTENSION_ABORTED' : 'EXTENSION_TRAP',
        `${outcome.kind === 'guest_abort' ? 'aborted' : 'trapped'}: ${outcome.message}`,
      );
  }
}
