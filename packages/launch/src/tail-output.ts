import type { ChildProcess } from 'node:child_process';

/** The last lines a child process wrote, for error messages. */
export interface OutputTail {
  readonly lines: readonly string[];
  /** The lines joined with newlines. */
  text(): string;
}

/** Keeps the last `maxLines` non-empty lines of the child's stdout and stderr. */
export function tailOutput(child: ChildProcess, maxLines = 40): OutputTail {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { lines, text: () => lines.join('\n') };
}
