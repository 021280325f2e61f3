import { spawn } from 'node:child_process';
import { ameideBin, startDevProcess, type DevProcess } from '../testing/index.js';

export const bin = ameideBin;

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
export type DevPlatform = DevProcess;

/** Starts `ameide dev` and waits for its ready line (`startDevProcess`, shared with the bench). */
export function startDev(
  home: string,
  extraArgs: string[] = [],
  options: { readyTimeoutMs?: number } = {},
): Promise<DevPlatform> {
  return startDevProcess(home, {
    args: extraArgs,
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
}
