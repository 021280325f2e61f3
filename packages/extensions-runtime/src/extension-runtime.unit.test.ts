import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RequestContext } from '@ameide/context';
import { isAmeideError, type AmeideError } from '@ameide/errors';
import {
  createExtensionRuntime,
  validateModule,
  type Extension,
  type ExtensionRuntime,
  type ExtensionRuntimeOptions,
  type GuestLogEntry,
  type HostCallPort,
  type JsonValue,
} from '@ameide/extensions-runtime';
import {
  pricingReference,
  sha256,
  testGuest,
  TEST_GUEST_MAX_PAGES,
  wasmModuleBytes,
} from '@ameide/extensions-runtime/testing';
import { rejectionOf } from '@ameide/errors/testing';

const tenantA: RequestContext = {
  tenantId: 'tenant-a',
  orgId: '',
  userId: 'alice',
  groups: [],
  traceId: 'trace-a',
};
const tenantB: RequestContext = { ...tenantA, tenantId: 'tenant-b', userId: 'bob' };
const GET_ORDER = 'ameide.sales.v1.OrderService/GetOrder';

let pricingBytes: Uint8Array;
let hostileBytes: Uint8Array;
beforeAll(async () => {
  [pricingBytes, hostileBytes] = await Promise.all([testGuest('pricing'), testGuest('hostile')]);
}, 120_000);

const limits = {
  maxMemoryPages: TEST_GUEST_MAX_PAGES,
  timeoutMs: 10_000,
  maxInputBytes: 64_000,
  maxOutputBytes: 64_000,
};

function pricing(): Extension {
  return {
    name: 'pricing',
    version: '1.0.0',
    hash: sha256(pricingBytes),
    module: pricingBytes,
    limits,
    allowedHostCalls: [],
    entryPoint: 'run',
  };
}

function hostile(entryPoint: string, overrides: Partial<Extension> = {}): Extension {
  return {
    name: 'hostile',
    version: entryPoint,
    hash: sha256(hostileBytes),
    module: hostileBytes,
    limits: { ...limits, timeoutMs: 300, maxOutputBytes: 1_000 },
    allowedHostCalls: [GET_ORDER],
    entryPoint,
    ...overrides,
  };
}

function handMade(bytes: Uint8Array, entryPoint = 'run'): Extension {
  return { ...hostile(entryPoint), name: 'handmade', hash: sha256(bytes), module: bytes };
}

const order = (n: number) => ({
  lines: [
    { sku: `sku-${n}`, qty: (n % 150) + 1, unitPrice: 9.99 },
    { sku: 'x"y', qty: 10, unitPrice: 0.7 },
  ],
});

/** A good invocation for tenant B, checked against the plain TypeScript pricing rule. */
async function good(rt: ExtensionRuntime, n = 7): Promise<void> {
  const result = await rt.invoke({ extension: pricing(), input: order(n), context: tenantB });
  expect(result.output).toEqual(pricingReference(order(n)));
}

/** Records the host calls a guest makes and answers them. */
function recordingPort(
  answer: (method: string, request: JsonValue) => Promise<JsonValue> = (_m, r) =>
    Promise.resolve({ order: r }),
) {
  const calls: { method: string; request: JsonValue; context: RequestContext }[] = [];
  const port: HostCallPort = async (method, request, context) => {
    calls.push({ method, request, context });
    return answer(method, request);
  };
  return { port, calls };
}

/**
 * Runs `attack` on a runtime of two workers, in a fresh worker or in one that already served
 * an invocation, while tenant B's good invocations run beside it and after it; returns how
 * the attack failed.
 */
async function contain(
  mode: 'fresh' | 'reused',
  attack: (rt: ExtensionRuntime) => Promise<unknown>,
  options: ExtensionRuntimeOptions = {},
): Promise<{ error: AmeideError; rt: ExtensionRuntime }> {
  const rt = createExtensionRuntime({ poolSize: 2, ...options });
  await rt.ready();
  if (mode === 'reused') await Promise.all([good(rt, 1), good(rt, 2)]);
  const [attacked, ...during] = await Promise.allSettled([attack(rt), good(rt, 3), good(rt, 4)]);
  for (const d of during) expect(d.status).toBe('fulfilled');
  await Promise.all([good(rt, 5), good(rt, 6), good(rt, 7)]);
  if (attacked.status === 'fulfilled') throw new Error('expected the attack to fail');
  if (!isAmeideError(attacked.reason)) throw attacked.reason;
  return { error: attacked.reason, rt };
}

const runtimes: ExtensionRuntime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
});
async function contained(
  mode: 'fresh' | 'reused',
  attack: (rt: ExtensionRuntime) => Promise<unknown>,
  options: ExtensionRuntimeOptions = {},
) {
  const c = await contain(mode, attack, options);
  runtimes.push(c.rt);
  return c;
}

describe.each(['fresh', 'reused'] as const)('a hostile guest in a %s worker', (mode) => {
  it('an infinite loop ends at the deadline, its worker is replaced', async () => {
    const { error, rt } = await contained(mode, (rt) =>
      rt.invoke({ extension: hostile('loop'), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('deadline_exceeded');
    expect(error.message).toContain('hostile@loop');
    expect(error.message).toContain('timeoutMs = 300');
    expect(rt.stats().pool.replacements).toBe(1);
  });

  it('a memory bomb (memory.grow until it fails) hits the memory limit', async () => {
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: hostile('bomb'), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('resource_exhausted');
    expect(error.reason).toBe('EXTENSION_MEMORY_LIMIT');
    expect(error.message).toContain(`maxMemoryPages = ${TEST_GUEST_MAX_PAGES}`);
  });

  it('allocating without end hits the memory limit', async () => {
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: hostile('hoard'), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('resource_exhausted');
    expect(error.metadata['limit']).toBe('maxMemoryPages');
  });

  it('a module with its own unbounded memory is refused', async () => {
    const bytes = wasmModuleBytes({ ownMemory: { initial: 1 } });
    expect(
      validateModule(bytes, { maxMemoryPages: 32, entryPoint: 'run' }).map((v) => v.rule),
    ).toEqual(['EXT001']);
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: handMade(bytes), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('failed_precondition');
    expect(error.fieldViolations.map((v) => v.field)).toEqual(['module.memory']);
    expect(error.message).toContain('defines its own memory');
  });

  it('a forbidden import is refused', async () => {
    const bytes = wasmModuleBytes({
      importMemory: { initial: 1, maximum: 4 },
      functionImports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write' }],
    });
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: handMade(bytes), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('failed_precondition');
    expect(error.message).toContain('wasi_snapshot_preview1.fd_write');
    expect(error.message).toContain('EXT003');
  });

  it('a host call to a method not on the allowlist is denied and never performed', async () => {
    const { port, calls } = recordingPort();
    const { error } = await contained(
      mode,
      (rt) =>
        rt.invoke({
          extension: hostile('call'),
          input: { method: 'ameide.sales.v1.OrderService/DeleteOrder', request: '{}' },
          context: tenantA,
        }),
      { hostCalls: port },
    );
    expect(error.code).toBe('permission_denied');
    expect(error.message).toContain('ameide.sales.v1.OrderService/DeleteOrder');
    expect(calls).toEqual([]);
  });

  it('a host call naming another tenant is denied and never performed', async () => {
    const { port, calls } = recordingPort();
    const { error } = await contained(
      mode,
      (rt) =>
        rt.invoke({
          extension: hostile('call'),
          input: {
            method: GET_ORDER,
            request: JSON.stringify({ filter: { tenantId: 'tenant-b' }, id: 'o-1' }),
          },
          context: tenantA,
        }),
      { hostCalls: port },
    );
    expect(error.code).toBe('permission_denied');
    expect(error.reason).toBe('HOST_CALL_CROSS_TENANT');
    expect(error.message).toContain('"tenant-b"');
    expect(calls).toEqual([]);
  });

  it('output over the cap is refused', async () => {
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: hostile('big'), input: { n: 5_000 }, context: tenantA }),
    );
    expect(error.code).toBe('resource_exhausted');
    expect(error.message).toContain('maxOutputBytes = 1000');
  });

  it('unbounded recursion is a typed stack overflow', async () => {
    const { error } = await contained(mode, (rt) =>
      rt.invoke({ extension: hostile('recurse'), input: {}, context: tenantA }),
    );
    expect(error.code).toBe('resource_exhausted');
    expect(error.reason).toBe('EXTENSION_STACK_OVERFLOW');
  });

  it('a guest that traps right after a host call fails; the call ran as the caller', async () => {
    const { port, calls } = recordingPort();
    const { error } = await contained(
      mode,
      (rt) =>
        rt.invoke({
          extension: hostile('callThenTrap'),
          input: { method: GET_ORDER, request: '{"id":"o-1"}' },
          context: tenantA,
        }),
      { hostCalls: port },
    );
    expect(error.code).toBe('failed_precondition');
    expect(error.reason).toBe('EXTENSION_TRAP');
    expect(calls).toEqual([{ method: GET_ORDER, request: { id: 'o-1' }, context: tenantA }]);
  });

  it('a guest that traps inside a host call (while its reply is written) fails', async () => {
    const { port, calls } = recordingPort();
    const { error } = await contained(
      mode,
      (rt) =>
        rt.invoke({
          extension: hostile('trapInReply'),
          input: { method: GET_ORDER, request: '{"id":"o-3"}' },
          context: tenantA,
        }),
      { hostCalls: port },
    );
    expect(error.code).toBe('failed_precondition');
    expect(error.message).toContain('hostile@trapInReply trapped: unreachable');
    expect(calls).toHaveLength(1);
  });

  it('the deadline ends a guest waiting on a host call; the late answer is dropped', async () => {
    let release: (v: JsonValue) => void = () => {};
    const { port, calls } = recordingPort(() => new Promise<JsonValue>((r) => (release = r)));
    const { error } = await contained(
      mode,
      (rt) =>
        rt.invoke({
          extension: hostile('call'),
          input: { method: GET_ORDER, request: '{"id":"o-2"}' },
          context: tenantA,
        }),
      { hostCalls: port },
    );
    expect(error.code).toBe('deadline_exceeded');
    expect(calls).toHaveLength(1);
    release({ id: 'o-2' });
  });
});

describe('host calls', () => {
  it('reach the port with the caller context and return its answer to the guest', async () => {
    const { port, calls } = recordingPort(() => Promise.resolve({ id: 'o-1', total: 12.5 }));
    const rt = createExtensionRuntime({ poolSize: 1, hostCalls: port });
    runtimes.push(rt);
    const result = await rt.invoke({
      extension: hostile('call'),
      input: { method: GET_ORDER, request: '{"id":"o-1","tenantId":"tenant-a"}' },
      context: tenantA,
    });
    expect(result.output).toEqual({ reply: { ok: { id: 'o-1', total: 12.5 } } });
    expect(result.hostCalls).toBe(1);
    expect(calls[0]?.context).toBe(tenantA);
  });

  it('hand the guest an error envelope when the port fails, without leaking host internals', async () => {
    const rt = createExtensionRuntime({
      poolSize: 1,
      hostCalls: () => Promise.reject(new Error('db password is hunter2')),
    });
    runtimes.push(rt);
    const result = await rt.invoke({
      extension: hostile('call'),
      input: { method: GET_ORDER, request: '{}' },
      context: tenantA,
    });
    expect(result.output).toEqual({
      reply: { error: { code: 'internal', message: 'internal error' } },
    });
  });
});

describe('guest failures and limits', () => {
  let rt: ExtensionRuntime;
  beforeAll(() => {
    rt = createExtensionRuntime({ poolSize: 1 });
    runtimes.push(rt);
  });

  it('ameide.fail reports the guest message', async () => {
    const error = await rejectionOf(
      rt.invoke({ extension: hostile('refuse'), input: 'o-9', context: tenantA }),
    );
    expect(error.code).toBe('failed_precondition');
    expect(error.message).toContain('cannot be priced');
  });

  it('a failed assertion reports its message', async () => {
    const error = await rejectionOf(
      rt.invoke({ extension: hostile('assertFalse'), input: {}, context: tenantA }),
    );
    expect(error.reason).toBe('EXTENSION_ABORTED');
    expect(error.message).toContain('input must be empty');
  });

  it('output that is not JSON is refused', async () => {
    const error = await rejectionOf(
      rt.invoke({ extension: hostile('garbage'), input: {}, context: tenantA }),
    );
    expect(error.reason).toBe('EXTENSION_BAD_OUTPUT');
  });

  it('input over the cap is refused before the guest runs', async () => {
    const ext = hostile('echo', { limits: { ...limits, maxInputBytes: 10 } });
    const error = await rejectionOf(
      rt.invoke({ extension: ext, input: { text: 'x'.repeat(11) }, context: tenantA }),
    );
    expect(error.code).toBe('resource_exhausted');
    expect(error.message).toContain('maxInputBytes = 10');
  });

  it('a descriptor with a bad limit is refused naming the field', async () => {
    const ext = hostile('echo', { limits: { ...limits, timeoutMs: 0 } });
    const error = await rejectionOf(rt.invoke({ extension: ext, input: {}, context: tenantA }));
    expect(error.code).toBe('invalid_argument');
    expect(error.fieldViolations.map((v) => v.field)).toEqual(['extension.limits.timeoutMs']);
  });

  it('a module declaring more memory than the extension limit is refused', async () => {
    const ext = hostile('echo', { limits: { ...limits, maxMemoryPages: 8 } });
    const error = await rejectionOf(rt.invoke({ extension: ext, input: {}, context: tenantA }));
    expect(error.code).toBe('failed_precondition');
    expect(error.message).toContain(
      `maximum of ${TEST_GUEST_MAX_PAGES} pages, above the limit of 8 pages`,
    );
  });

  it('a module whose bytes do not match the declared hash is refused', async () => {
    const ext = hostile('echo', { hash: sha256(pricingBytes), module: hostileBytes });
    const error = await rejectionOf(
      rt.invoke({ extension: { ...ext, name: 'liar' }, input: {}, context: tenantA }),
    );
    expect(error.reason).toBe('EXTENSION_HASH_MISMATCH');
  });
});

describe('guest logs', () => {
  it('reach onLog with the extension and the tenant, at most 100 lines per invocation', async () => {
    const lines: GuestLogEntry[] = [];
    const rt = createExtensionRuntime({ poolSize: 1, onLog: (e) => lines.push(e) });
    runtimes.push(rt);
    const result = await rt.invoke({ extension: hostile('chatty'), input: 1, context: tenantA });
    expect(result.output).toEqual({ echo: 1 });
    expect(lines).toHaveLength(100);
    expect(lines[0]).toEqual({
      extension: 'hostile@chatty',
      tenantId: 'tenant-a',
      level: 'info',
      message: 'line 0',
    });
  });
});

describe("the caller's signal", () => {
  it('drops a queued invocation and stops a running one, replacing its worker', async () => {
    const rt = createExtensionRuntime({ poolSize: 1 });
    runtimes.push(rt);
    const ext = hostile('loop', { limits: { ...limits, timeoutMs: 60_000 } });
    const stopRunning = new AbortController();
    const stopQueued = new AbortController();
    const running = rejectionOf(
      rt.invoke({ extension: ext, input: {}, context: tenantA, signal: stopRunning.signal }),
    );
    const queued = rejectionOf(
      rt.invoke({ extension: ext, input: {}, context: tenantA, signal: stopQueued.signal }),
    );
    await vi.waitFor(() => expect(rt.stats().pool).toMatchObject({ busy: 1, queued: 1 }));
    stopQueued.abort();
    expect(await queued).toMatchObject({ code: 'canceled', reason: 'EXTENSION_ABORTED_BY_CALLER' });
    stopRunning.abort();
    expect(await running).toMatchObject({ code: 'canceled' });
    await good(rt);
    expect(rt.stats().pool.replacements).toBe(1);
    expect(rt.circuitState(ext)).toBe('closed');
  });

  it("answers deadline_exceeded when the caller's own deadline passes first", async () => {
    const rt = createExtensionRuntime({ poolSize: 1 });
    runtimes.push(rt);
    const ext = hostile('loop', { limits: { ...limits, timeoutMs: 60_000 } });
    const error = await rejectionOf(
      rt.invoke({ extension: ext, input: {}, context: tenantA, signal: AbortSignal.timeout(100) }),
    );
    expect(error).toMatchObject({
      code: 'deadline_exceeded',
      reason: 'EXTENSION_ABORTED_BY_CALLER',
    });
    expect(error.message).toContain("the caller's deadline passed");
  });
});

describe('a full queue', () => {
  it('refuses more invocations at once with resource_exhausted, not against the extension', async () => {
    const rt = createExtensionRuntime({ poolSize: 1, maxQueuedInvocations: 1 });
    runtimes.push(rt);
    const ext = hostile('loop', { limits: { ...limits, timeoutMs: 60_000 } });
    const stop = new AbortController();
    const run = (e: Extension) =>
      rejectionOf(rt.invoke({ extension: e, input: {}, context: tenantA, signal: stop.signal }));
    const running = run(ext);
    await vi.waitFor(() => expect(rt.stats().pool.busy).toBe(1));
    const queued = run(ext);
    await vi.waitFor(() => expect(rt.stats().pool.queued).toBe(1));
    const refused = await rejectionOf(
      rt.invoke({ extension: pricing(), input: order(1), context: tenantB }),
    );
    expect(refused).toMatchObject({ code: 'resource_exhausted', reason: 'EXTENSION_RUNTIME_BUSY' });
    expect(refused.message).toContain('pricing@1.0.0 was not run: the runtime is busy');
    expect(rt.circuitState(pricing())).toBe('closed');
    stop.abort();
    await Promise.all([running, queued]);
    await good(rt);
  });
});

describe('the host process', () => {
  it('stays up while an invocation runs and may exit once the runtime is idle, unclosed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ameide-idle-runtime-'));
    try {
      const file = join(dir, 'pricing.wasm');
      await writeFile(file, pricingBytes);
      const { module: _bytes, ...descriptor } = pricing();
      const script = `
        import { readFileSync } from 'node:fs';
        import { createExtensionRuntime } from '@ameide/extensions-runtime';
        const module = new Uint8Array(readFileSync(${JSON.stringify(file)}));
        const rt = createExtensionRuntime({ poolSize: 2 });
        const { output } = await rt.invoke({
          extension: { ...${JSON.stringify(descriptor)}, module },
          input: ${JSON.stringify(order(3))},
          context: ${JSON.stringify(tenantB)},
        });
        console.log(JSON.stringify(output));`;
      const { code, stdout, stderr } = await new Promise<{
        code: number | null;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          { cwd: fileURLToPath(new URL('..', import.meta.url)) },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual(pricingReference(order(3)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('closing the runtime', () => {
  it('fails running and queued invocations with unavailable, not as the extension', async () => {
    const rt = createExtensionRuntime({ poolSize: 1 });
    const ext = hostile('loop', { limits: { ...limits, timeoutMs: 60_000 } });
    const running = rejectionOf(rt.invoke({ extension: ext, input: {}, context: tenantA }));
    const queued = rejectionOf(rt.invoke({ extension: ext, input: {}, context: tenantA }));
    await rt.close();
    const errors = await Promise.all([running, queued]);
    expect(errors.map((e) => [e.code, e.reason])).toEqual([
      ['unavailable', 'EXTENSION_RUNTIME_CLOSED'],
      ['unavailable', 'EXTENSION_RUNTIME_CLOSED'],
    ]);
    expect(rt.circuitState(ext)).toBe('closed');
  });
});

describe('the compiled-module cache', () => {
  it('loads and compiles a module once per hash', async () => {
    const rt = createExtensionRuntime({ poolSize: 1 });
    runtimes.push(rt);
    let loads = 0;
    const ext: Extension = {
      ...hostile('echo'),
      module: () => {
        loads++;
        return Promise.resolve(hostileBytes);
      },
    };
    const first = await rt.invoke({ extension: ext, input: { n: 1 }, context: tenantA });
    const second = await rt.invoke({ extension: ext, input: { n: 2 }, context: tenantB });
    expect([first.output, second.output]).toEqual([{ echo: { n: 1 } }, { echo: { n: 2 } }]);
    expect(loads).toBe(1);
    expect(rt.stats().modules).toMatchObject({ hits: 1, misses: 1 });
  });
});

describe('the circuit breaker', () => {
  it('opens after consecutive failures, says until when, and closes after a good trial', async () => {
    let clock = Date.parse('2026-01-01T10:00:00Z');
    const rt = createExtensionRuntime({
      poolSize: 1,
      circuitBreaker: { failureThreshold: 3, coolDownMs: 60_000, now: () => clock },
    });
    runtimes.push(rt);
    const ext = hostile('big');
    for (let i = 0; i < 3; i++) {
      const e = await rejectionOf(
        rt.invoke({ extension: ext, input: { n: 5_000 }, context: tenantA }),
      );
      expect(e.reason).toBe('EXTENSION_OUTPUT_TOO_LARGE');
    }
    const open = await rejectionOf(
      rt.invoke({ extension: ext, input: { n: 3 }, context: tenantA }),
    );
    expect(open.code).toBe('failed_precondition');
    expect(open.message).toContain(
      'circuit is open after 3 consecutive failures, until 2026-01-01T10:01:00.000Z',
    );
    expect(rt.circuitState(ext)).toBe('open');
    // Other extensions are not affected.
    await good(rt);

    clock += 60_000;
    expect(rt.circuitState(ext)).toBe('half-open');
    await expect(
      rt.invoke({ extension: ext, input: { n: 3 }, context: tenantA }),
    ).resolves.toMatchObject({ output: 'xxx' });
    expect(rt.circuitState(ext)).toBe('closed');
  });
});

describe('under load', () => {
  it('1,000 concurrent invocations, 10% hostile: every good one succeeds with the right output', async () => {
    const { port } = recordingPort();
    const rt = createExtensionRuntime({
      poolSize: 2,
      hostCalls: port,
      circuitBreaker: { failureThreshold: 10_000 },
    });
    runtimes.push(rt);
    const attacks = [
      () =>
        rt.invoke({
          extension: hostile('loop', { limits: { ...limits, timeoutMs: 50 } }),
          input: {},
          context: tenantA,
        }),
      () => rt.invoke({ extension: hostile('bomb'), input: {}, context: tenantA }),
      () =>
        rt.invoke({
          extension: hostile('callThenTrap'),
          input: { method: GET_ORDER, request: '{}' },
          context: tenantA,
        }),
      () => rt.invoke({ extension: hostile('big'), input: { n: 5_000 }, context: tenantA }),
    ];
    const runs = Array.from({ length: 1_000 }, (_, i) =>
      i % 10 === 9
        ? attacks[((i / 10) % attacks.length) | 0]!().then(
            () => 'hostile succeeded',
            (e: unknown) => (isAmeideError(e) ? 'contained' : 'crashed'),
          )
        : rt
            .invoke({ extension: pricing(), input: order(i), context: tenantB })
            .then((r) =>
              JSON.stringify(r.output) === JSON.stringify(pricingReference(order(i)))
                ? 'good'
                : 'wrong',
            ),
    );
    const outcomes = await Promise.all(runs);
    const count = (o: string) => outcomes.filter((x) => x === o).length;
    expect({ good: count('good'), contained: count('contained') }).toEqual({
      good: 900,
      contained: 100,
    });
  }, 120_000);
});
