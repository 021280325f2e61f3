import { spawn, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

// The official Connect conformance suite (connectrpc.com/conformance), server
// mode: its reference clients (connect-go, grpc-go) send every case for
// Connect, gRPC and gRPC-Web over HTTP/1.1 and h2c, unary and all four stream
// kinds, proto and JSON, identity/gzip/br, to the service host started by
// conformance-server.ts, and check what comes back byte for byte.

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');

/** Path of the runner binary; builds it on the first run (scripts/ensure.mjs). */
function runnerBinary(): string {
  const ensure = pathToFileURL(join(root, 'scripts', 'ensure.mjs')).href;
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(ensure)}); process.stdout.write(m.ensureConnectConformance());`,
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0)
    throw new Error('could not provide the connectconformance runner (see above)');
  return r.stdout.trim();
}

function runConformance(binary: string): Promise<{ code: number | null; output: string }> {
  const args = [
    '--mode',
    'server',
    '--conf',
    join(here, 'conformance.yaml'),
    '--known-failing',
    `@${join(here, 'known-failing.txt')}`,
    // Two RPCs in flight against one server at a time: the machines have two
    // cores, and a server that starts while others load can miss the runner's
    // 10 s start-up deadline.
    '--parallel',
    '2',
    '--max-servers',
    '1',
    '--',
    process.execPath,
    '--import',
    'tsx',
    join(here, 'conformance-server.ts'),
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // Bounded: the run takes about a minute and a half; a hang fails the test.
    const timer = setTimeout(() => child.kill('SIGTERM'), 540_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

it('the service host passes the Connect conformance suite (server mode)', async () => {
  const { code, output } = await runConformance(runnerBinary());
  // On failure: the FAILED cases and the runner's summary, as it printed them.
  const report = output.split('\n').slice(-300).join('\n');
  expect(code, report).toBe(0);
  const total = Number(/Total cases: (\d+)/.exec(output)?.[1] ?? 0);
  const [, passed, failed] = /(\d+) passed, (\d+) failed/.exec(output) ?? [];
  // Every protocol, HTTP version and stream type is covered: thousands of cases.
  expect(total, report).toBeGreaterThan(2000);
  expect(Number(failed), report).toBe(0);
  expect(Number(passed), report).toBe(total);
  process.stdout.write(`connect conformance: ${total} cases, ${passed} passed, ${failed} failed\n`);
}, 600_000);
