import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateModule } from '@ameide/extensions-runtime';
import { guestsDir, pricingReference, testGuest } from '@ameide/extensions-runtime/testing';
import { runCli } from './cli-harness.js';

// `ameide extension` as a user runs it: the real binary, asc, and the local sandbox.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ameide-extension-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const order = {
  lines: [
    { sku: 'A-1', qty: 12, unitPrice: 9.99 },
    { sku: 'B-2', qty: 150, unitPrice: 2.5 },
    { sku: 'C-3', qty: 1, unitPrice: 100 },
  ],
};

describe('ameide extension', () => {
  it('builds the pricing example and runs it under the sandbox', async () => {
    const out = join(dir, 'pricing.wasm');
    const built = await runCli([
      'extension',
      'build',
      join(guestsDir, 'pricing.ts'),
      '-o',
      out,
      '--max-memory-pages',
      '8',
    ]);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(`built ${out}`);
    expect(built.stdout).toContain('memory 1-8 pages');
    const bytes = new Uint8Array(await readFile(out));
    expect(validateModule(bytes, { maxMemoryPages: 8, entryPoint: 'run' })).toEqual([]);

    await writeFile(join(dir, 'order.json'), JSON.stringify(order));
    const run = await runCli(['extension', 'run', out, '--input', `@${join(dir, 'order.json')}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(pricingReference(order));
  }, 60_000);

  it('init writes a skeleton that builds and runs, and never overwrites it', async () => {
    const ext = join(dir, 'hello');
    expect((await runCli(['extension', 'init', ext])).code).toBe(0);
    expect((await runCli(['extension', 'build', ext])).code).toBe(0);
    const run = await runCli([
      'extension',
      'run',
      join(ext, 'build', 'extension.wasm'),
      '--input',
      '{"name":"Ada"}',
    ]);
    expect(JSON.parse(run.stdout)).toEqual({ greeting: 'Hello, Ada' });
    const again = await runCli(['extension', 'init', ext]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists; init writes only into new files');
  }, 60_000);

  it('run prints the typed error and exits 1 when a limit is hit or a host call refused', async () => {
    const hostile = join(dir, 'hostile.wasm');
    await writeFile(hostile, await testGuest('hostile'));
    const loop = await runCli([
      'extension',
      'run',
      hostile,
      '--entry',
      'loop',
      '--input',
      '{}',
      '--timeout-ms',
      '100',
    ]);
    expect(loop.code).toBe(1);
    expect(loop.stdout).toBe('');
    expect(loop.stderr).toContain(
      'ameide: deadline_exceeded: extension hostile@local did not finish within its limit timeoutMs = 100',
    );

    const call = (allow: string[]) =>
      runCli([
        'extension',
        'run',
        hostile,
        '--entry',
        'call',
        '--input',
        JSON.stringify({ method: 'ameide.sales.v1.OrderService/GetOrder', request: '{}' }),
        ...allow,
      ]);
    const denied = await call([]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('ameide: permission_denied:');
    const allowed = await call(['--allow', 'ameide.sales.v1.OrderService/GetOrder']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ reply: { error: { code: 'unavailable' } } });
    expect(allowed.stdout).toContain('without a platform');
  }, 60_000);

  it('build names the compiler error of a source that does not compile', async () => {
    const bad = join(dir, 'bad.ts');
    await writeFile(bad, 'export function run(ptr: usize, len: i32): u64 { return nope; }\n');
    const built = await runCli(['extension', 'build', bad]);
    expect(built.code).toBe(1);
    expect(built.stderr).toContain('does not compile');
    expect(built.stderr).toContain('nope');
  }, 60_000);

  it('--help lists the subcommands and says host calls need a platform', async () => {
    const help = await runCli(['extension', '--help']);
    expect(help.stdout).toMatch(/init <dir>[\s\S]*build[\s\S]*run/);
    expect((await runCli(['extension', 'run', '--help'])).stdout).toContain(
      'No platform is involved',
    );
  });
});
