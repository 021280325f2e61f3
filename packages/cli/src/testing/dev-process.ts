import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@ameide/launch';

/** The `ameide` binary of this checkout (runs `src/main.ts` compiled, see `bin/compiled.js`). */
export const ameideBin = fileURLToPath(new URL('../../bin/ameide.js', import.meta.url));

/** Options of {@link startDevProcess}. */
export interface DevProcessOptions {
  /** Arguments after `dev --port <port>` (e.g. `--nats-url`, `--keycloak`). */
  readonly args?: readonly string[];
  /** How long to wait for the ready line. Default 110 s. */
  readonly readyTimeoutMs?: number;
  /** Environment variables on top of this process's (e.g. `AMEIDE_FROM_SOURCE: '1'`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running `ameide dev`, started as a child process of this one. */
export interface DevProcess {
  /** The URL from its ready line (`Ameide is ready at <url>`). */
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Milliseconds from spawn to the ready line. */
  readonly readyMs: number;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** Sends `signal` (default SIGINT, as Ctrl-C does) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `ameide --home <home> dev --port <free port> …args` as a user does and waits for its
 * ready line. Shared by the CLI's e2e tests and `bench/dev.bench.ts`, so both start it the same
 * way. Fails with its output when it exits first or is not ready in time (and then stops it).
 */
export async function startDevProcess(
  home: string,
  options: DevProcessOptions = {},
): Promise<DevProcess> {
  // A fresh home migrates every schema on PGlite and loads the agent model: on a loaded 2-core
  // machine with two other test files running that took over 60 s. (110 s stays inside Vitest's
  // 120 s hook timeout, so the error says what it waited for.)
  const readyTimeoutMs = options.readyTimeoutMs ?? 110_000;
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [ameideBin, '--home', home, 'dev', '--port', String(port), ...(options.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{ url: string; readyMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ameide dev not ready after ${readyTimeoutMs / 1000} s:\n${out}`));
    }, readyTimeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Ameide is ready at (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], readyMs: performance.now() - started });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ameide dev exited with ${code} before ready:\n${out}`));
    });
  });
  const { url, readyMs } = await ready;
  return {
    url,
    child,
    pid: child.pid!,
    readyMs,
    output: () => out,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
