// `ameide serve <primitive>` as child processes, for the e2e tests of split deployments.
import { spawn, type ChildProcess } from 'node:child_process';
import { findFreePort } from '@ameide/testing';
import { bin } from './cli-harness.js';

/** `ameide serve <primitive>` as a child process. */
export interface Served {
  readonly primitive: string;
  readonly url: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment without the caller's AMEIDE_* settings, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AMEIDE_')) out[k] = v;
  return { ...out, ...env };
}

export async function serve(
  primitive: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Served> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [bin, 'serve', primitive, '--host', '127.0.0.1', '--port', String(port), ...args],
    { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ameide serve ${primitive} exited with ${child.exitCode}:\n${err}\n${out}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ameide serve ${primitive} not ready in time:\n${err}\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    primitive,
    url,
    child,
    stdout: () => out,
    stderr: () => err,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** runCli merges its env into process.env: blank out the AMEIDE_* settings. */
export function blankAmeideEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('AMEIDE_')) out[k] = '';
  return out;
}
