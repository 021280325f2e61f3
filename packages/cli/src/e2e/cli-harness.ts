import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@ameide/testing';

export const bin = fileURLToPath(new URL('../../bin/ameide.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ameide <args>` to completion. */
export function runCli(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...options.env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A running `ameide dev`, started as a child process. */
export interface DevPlatform {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `ameide dev` and waits for its ready line. */
export async function startDev(
  home: string,
  extraArgs: string[] = [],
  options: { readyTimeoutMs?: number } = {},
): Promise<DevPlatform> {
  // A fresh home migrates every schema on PGlite (tenancy and agents now too) and loads the
  // agent model: on a loaded 2-core machine with two other test files running that took over 60 s.
  // (110 s stays inside Vitest's 120 s hook timeout, so the error says what it waited for.)
  const readyTimeoutMs = options.readyTimeoutMs ?? 110_000;
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [bin, '--home', home, 'dev', '--port', String(port), ...extraArgs],
    { stdio: 'pipe' },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ameide dev not ready after ${readyTimeoutMs / 1000} s:\n${out}`)),
      readyTimeoutMs,
    );
    const check = () => {
      const m = /Ameide is ready at (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr.on('data', check);
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`ameide dev exited with ${code} before ready:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async stop(signal = 'SIGINT') {
      child.kill(signal);
      return exited;
    },
  };
}
