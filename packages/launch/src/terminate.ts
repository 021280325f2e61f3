import type { ChildProcess } from 'node:child_process';

/** How {@link terminate} stops a process. */
export interface TerminateOptions {
  /** Signals to send in turn, each followed by up to `graceMs` of waiting (default `['SIGTERM']`). */
  readonly signals?: readonly NodeJS.Signals[];
  /** How long to wait after each signal (default 5 s). */
  readonly graceMs?: number;
  /**
   * The process to signal when it is not the child itself (e.g. the postmaster
   * behind `runuser`). The child is still what is waited for.
   */
  readonly pid?: number;
}

/**
 * Stops a child process: each signal of `signals` in turn until it exits,
 * then SIGKILL. Resolves once it has exited (or after a last grace period when
 * even SIGKILL did not end it). Resolves at once when it has already exited.
 */
export async function terminate(
  child: ChildProcess,
  options: TerminateOptions = {},
): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const graceMs = options.graceMs ?? 5_000;
  const pid = options.pid ?? child.pid;
  for (const sig of [...(options.signals ?? ['SIGTERM']), 'SIGKILL'] as const) {
    if (pid !== undefined) signal(pid, sig);
    if (sig === 'SIGKILL' && pid !== child.pid) child.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (!timedOut || hasExited(child)) return;
  }
}

/** Whether the child has exited (or was killed by a signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
