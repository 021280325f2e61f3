import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBinary, hasExited } from '@ameide/launch';
// README-START
import { spawn } from 'node:child_process';
import {
  acceptsConnections,
  findFreePort,
  tailOutput,
  terminate,
  waitUntilReady,
} from '@ameide/launch';

async function startEchoServer() {
  const port = await findFreePort();
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer((s) => s.pipe(s)).listen(${port}, '127.0.0.1')`,
  ]);
  await waitUntilReady(child, {
    name: 'echo server',
    where: `port ${port}`,
    ready: () => acceptsConnections(port),
    output: tailOutput(child),
  });
  return { child, port, stop: () => terminate(child) };
}
// README-END

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the example that this test runs', () => {
    const test = readFileSync(new URL(import.meta.url), 'utf8');
    const example = test.split('// README-START\n')[1]!.split('// README-END')[0]!;
    expect(readme).toContain(example.trim());
  });

  it('the example starts a server, waits for it and stops it', async () => {
    const server = await startEchoServer();
    expect(await acceptsConnections(server.port)).toBe(true);
    await server.stop();
    expect(hasExited(server.child)).toBe(true);
    expect(await acceptsConnections(server.port)).toBe(false);
  });
});

describe('waitUntilReady', () => {
  it('quotes what the child wrote when it exits during start', async () => {
    const child = spawn(process.execPath, [
      '-e',
      'console.error("boom: no config"); process.exit(3)',
    ]);
    await expect(
      waitUntilReady(child, {
        name: 'broken',
        ready: () => Promise.resolve(false),
        output: tailOutput(child),
        pollMs: 20,
      }),
    ).rejects.toThrow(/broken exited during start:\n.*boom: no config/);
  });

  it('stops a child that does not become ready in time', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await expect(
      waitUntilReady(child, {
        name: 'slow',
        ready: () => Promise.resolve(false),
        output: tailOutput(child),
        timeoutMs: 200,
        pollMs: 20,
      }),
    ).rejects.toThrow(/slow did not become ready in time/);
    expect(hasExited(child)).toBe(true);
  });
});

describe('terminate', () => {
  it('escalates to SIGKILL when the signal is ignored', async () => {
    const child = spawn(process.execPath, [
      '-e',
      'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)',
    ]);
    await new Promise((r) => child.stdout.once('data', r));
    await terminate(child, { graceMs: 200 });
    expect(child.signalCode).toBe('SIGKILL');
  });
});

describe('findBinary', () => {
  it('finds a binary on the given path, and names the explicit path it could not find', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ameide-launch-'));
    try {
      await writeFile(join(dir, 'fake-server'), '#!/bin/sh\n');
      await chmod(join(dir, 'fake-server'), 0o755);
      expect(findBinary('fake-server', { path: dir, installHint: 'install it' })).toBe(
        join(dir, 'fake-server'),
      );
      expect(() =>
        findBinary('fake-server', {
          binary: join(dir, 'missing'),
          binaryFrom: 'AMEIDE_FAKE_BIN',
          installHint: 'pip install fake',
        }),
      ).toThrow(
        `fake-server not found at ${join(dir, 'missing')} (AMEIDE_FAKE_BIN). pip install fake`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
