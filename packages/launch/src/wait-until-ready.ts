import type { ChildProcess } from 'node:child_process';
import type { OutputTail } from './tail-output.js';
import { hasExited, terminate, type TerminateOptions } from './terminate.js';

/** Options of {@link waitUntilReady}. */
export interface WaitUntilReadyOptions {
  /** Names the server in errors, e.g. `temporal`. */
  readonly name: string;
  /** Resolves true once the server is usable. */
  readonly ready: () => Promise<boolean>;
  /** What the child wrote, quoted in errors. */
  readonly output: OutputTail;
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 100 ms. */
  readonly pollMs?: number;
  /** Extra words for errors, e.g. `port 7233`. */
  readonly where?: string;
  /** How to stop the child when it does not become ready in time. */
  readonly terminate?: TerminateOptions;
}

/**
 * Polls `ready` until it answers true. Throws (with the child's last output)
 * when the child exits first, or when `timeoutMs` passes, after stopping it.
 */
export async function waitUntilReady(
  child: ChildProcess,
  options: WaitUntilReadyOptions,
): Promise<void> {
  const where = options.where ? ` (${options.where})` : '';
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (hasExited(child))
      throw new Error(`${options.name} exited during start${where}:\n${options.output.text()}`);
    if (await options.ready()) return;
    if (Date.now() > deadline) {
      await terminate(child, options.terminate);
      throw new Error(
        `${options.name} did not become ready in time${where}:\n${options.output.text()}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}
