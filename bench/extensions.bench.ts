import { availableParallelism } from 'node:os';
import type { RequestContext } from '@ameide/context';
import { createExtensionRuntime, type Extension } from '@ameide/extensions-runtime';
import {
  pricingReference,
  sha256,
  testGuest,
  TEST_GUEST_MAX_PAGES,
} from '@ameide/extensions-runtime/testing';
import { median, report } from './lib/measure.js';

const context: RequestContext = {
  tenantId: 'bench',
  orgId: '',
  userId: 'bench',
  groups: [],
  traceId: '',
};

const order = {
  lines: Array.from({ length: 10 }, (_, i) => ({
    sku: `SKU-${i}`,
    qty: i * 15 + 1,
    unitPrice: 3.5 + i,
  })),
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * The WebAssembly sandbox (`@ameide/extensions-runtime`) with the pricing example (10 order
 * lines): (a) warm invocation latency p50/p99 vs the same rule as a plain TypeScript function
 * (JSON in and out, as the guest gets it); (b) cold start (new worker + compile) vs a warm
 * invocation; (c) invocations/s on a pool of one worker per core vs one worker; (d) time from
 * a deadline (an infinite loop) to its worker terminated and a replacement ready vs a cold
 * worker start.
 */
export async function benchExtensions(): Promise<void> {
  const [pricing, hostile] = await Promise.all([testGuest('pricing'), testGuest('hostile')]);
  const limits = {
    maxMemoryPages: TEST_GUEST_MAX_PAGES,
    timeoutMs: 5_000,
    maxInputBytes: 64 * 1024,
    maxOutputBytes: 64 * 1024,
  };
  const extension: Extension = {
    name: 'pricing',
    version: '1',
    hash: sha256(pricing),
    module: pricing,
    limits,
    allowedHostCalls: [],
    entryPoint: 'run',
  };
  const loop: Extension = {
    ...extension,
    name: 'loop',
    hash: sha256(hostile),
    module: hostile,
    entryPoint: 'loop',
    limits: { ...limits, timeoutMs: 20 },
  };

  // (a) warm latency, one worker, one call at a time.
  const warm = createExtensionRuntime({ poolSize: 1 });
  await warm.ready();
  const text = JSON.stringify(order);
  const wasmMs: number[] = [];
  const tsMs: number[] = [];
  for (let i = 0; i < 3_000; i++) {
    let t = performance.now();
    await warm.invoke({ extension, input: order, context });
    if (i >= 500) wasmMs.push(performance.now() - t);
    t = performance.now();
    JSON.stringify(pricingReference(JSON.parse(text) as typeof order));
    if (i >= 500) tsMs.push(performance.now() - t);
  }
  const warmP50 = percentile(wasmMs, 50);
  report(
    'pricing, warm invocation p50',
    warmP50 * 1000,
    'us',
    warmP50 / percentile(tsMs, 50),
    'plain TS function p50',
  );
  report(
    'pricing, warm invocation p99',
    percentile(wasmMs, 99) * 1000,
    'us',
    percentile(wasmMs, 99) / percentile(tsMs, 99),
    'plain TS function p99',
  );

  // (b) cold start: a new runtime (worker start) and an empty module cache (compile).
  const cold: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const rt = createExtensionRuntime({ poolSize: 1 });
    await rt.invoke({ extension, input: order, context });
    cold.push(performance.now() - t);
    await rt.close();
  }
  const coldMs = median(cold);
  report(
    'pricing, cold start (new worker + compile + call)',
    coldMs,
    'ms',
    coldMs / warmP50,
    'warm invocation p50',
  );

  // (c) throughput: one worker per core vs one worker, 64 invocations in flight.
  const throughput = async (poolSize: number): Promise<number> => {
    const rt = createExtensionRuntime({ poolSize });
    await rt.ready();
    const n = 4_000;
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next++ < n) await rt.invoke({ extension, input: order, context });
      }),
    );
    const perSec = (n / (performance.now() - t)) * 1000;
    await rt.close();
    return perSec;
  };
  const cores = availableParallelism();
  const one = await throughput(1);
  const many = await throughput(cores);
  report(`pricing, invocations/s on ${cores} workers`, many, '/s', many / one, '1 worker');

  // (d) deadline to replacement: the loop is stopped at 20 ms, then the pool is ready again.
  const replaced: number[] = [];
  for (let i = 0; i < 7; i++) {
    await warm.invoke({ extension: loop, input: {}, context }).catch(() => undefined);
    const t = performance.now();
    await warm.ready();
    replaced.push(performance.now() - t);
  }
  const replaceMs = median(replaced);
  report(
    'deadline to worker replaced and ready',
    replaceMs,
    'ms',
    replaceMs / coldMs,
    'cold start',
  );
  await warm.close();
}
