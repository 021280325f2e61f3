import type { ChildProcess } from 'node:child_process';

/** What a child process wrote, for error messages: its first lines and its last ones. */
export interface OutputTail {
  /** The last lines. */
  readonly lines: readonly string[];
  /**
   * The first lines, then the last ones (with how many were left out between): a server that
   * crashes names the cause at the top (a Go `panic:` line) and the place at the bottom.
   */
  text(): string;
}

/** How many of the first lines {@link OutputTail.text} keeps. */
const HEAD_LINES = 10;

/** Keeps the first lines and the last `maxLines` non-empty lines of the child's stdout and stderr. */
export function tailOutput(child: ChildProcess, maxLines = 40): OutputTail {
  const head: string[] = [];
  const lines: string[] = [];
  let seen = 0;
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      seen++;
      if (head.length < HEAD_LINES) head.push(line);
      lines.push(line);
    }
    if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    lines,
    text() {
      // Lines 1..seen; the tail is the last lines.length of them.
      const tailFrom = seen - lines.length;
      if (tailFrom <= head.length) return [...head.slice(0, tailFrom), ...lines].join('\n');
      const left = tailFrom - head.length;
      return [...head, `… (${left} line${left === 1 ? '' : 's'} left out)`, ...lines].join('\n');
    },
  };
}
