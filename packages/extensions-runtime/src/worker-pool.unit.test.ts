import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasmEngine } from './wasm-engine.js';
import { createWorkerPool, type GuestJob } from './worker-pool.js';
import { wasmModuleBytes } from './testing/wasm-module-bytes.js';

// Workers that fail in ways no guest can cause (their own script throws): the pool must fail
// the invocation, never the host, and must not replace workers that cannot start forever.
let dir: string;
let job: GuestJob;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ameide-worker-pool-'));
  job = {
    module: await wasmEngine.compile(wasmModuleBytes({ importMemory: { initial: 1, maximum: 1 } })),
    moduleKey: 'm',
    entryPoint: 'run',
    input: new Uint8Array(),
    initialPages: 1,
    maximumPages: 1,
    maxOutputBytes: 100,
    timeoutMs: 10_000,
    onHostCall: () => Promise.resolve({ abort: true }),
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, source: string): Promise<URL> {
  const file = join(dir, name);
  await writeFile(file, source);
  return pathToFileURL(file);
}

describe('createWorkerPool', () => {
  it('starts no worker before the first invocation or ready()', async () => {
    const marker = join(dir, 'started');
    const workerUrl = await script(
      'marks.mjs',
      `import { parentPort } from 'node:worker_threads';
       import { appendFileSync } from 'node:fs';
       appendFileSync(${JSON.stringify(marker)}, 'x');
       parentPort.on('message', () => {});
       parentPort.postMessage({ type: 'ready' });`,
    );
    const pool = createWorkerPool({ size: 2, maxHostReplyBytes: 64, workerUrl });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(pool.stats()).toMatchObject({ workers: 2, ready: 0 });
      await expect(readFile(marker, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
      await pool.ready();
      expect(pool.stats()).toMatchObject({ workers: 2, ready: 2 });
      expect(await readFile(marker, 'utf8')).toBe('xx');
    } finally {
      await pool.close();
    }
  });

  it("fails the invocation of a worker that reports an 'error' event, and replaces it", async () => {
    const workerUrl = await script(
      'crashes.mjs',
      `import { parentPort } from 'node:worker_threads';
       parentPort.on('message', () => setTimeout(() => { throw new Error('kaput'); }));
       parentPort.postMessage({ type: 'ready' });`,
    );
    const pool = createWorkerPool({ size: 1, maxHostReplyBytes: 64, workerUrl });
    try {
      const outcome = await pool.run({ ...job, input: new Uint8Array() });
      expect(outcome).toMatchObject({
        ok: false,
        kind: 'worker_error',
        message: 'worker failed: kaput',
      });
      await pool.ready();
      expect(pool.stats()).toMatchObject({ replacements: 1, ready: 1 });
    } finally {
      await pool.close();
    }
  });

  it('stops replacing workers that die before they start, and says why', async () => {
    const workerUrl = await script('broken.mjs', `throw new Error('no such module');`);
    const pool = createWorkerPool({ size: 1, maxHostReplyBytes: 64, workerUrl });
    try {
      const outcome = await pool.run({ ...job, input: new Uint8Array() });
      expect(outcome).toMatchObject({
        ok: false,
        kind: 'worker_error',
        message: 'guest workers do not start: worker failed: no such module',
      });
      expect(pool.stats().replacements).toBe(2);
      await expect(pool.run({ ...job, input: new Uint8Array() })).resolves.toMatchObject({
        kind: 'worker_error',
      });
    } finally {
      await pool.close();
    }
  });
});
