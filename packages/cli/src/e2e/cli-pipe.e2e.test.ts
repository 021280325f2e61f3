import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bin, type CliResult } from './cli-harness.js';

const bpmn = fileURLToPath(
  new URL('../../../../examples/processes/order-to-cash.bpmn', import.meta.url),
);

/**
 * Runs `ameide <args>` with stdout going to a reader that has already gone away (as `| head`
 * does once it has its lines), so every write the command makes fails with EPIPE.
 */
function runIntoClosedPipe(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: '', stderr }));
  });
}

describe('a CLI whose reader goes away', () => {
  it('exits 0 without a stack trace when stdout is closed before it writes', async () => {
    const result = await runIntoClosedPipe(['process', 'import', bpmn]);
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('keeps the exit status the command had set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ameide-pipe-'));
    try {
      // Lint errors (status 1) are printed to stdout, which nobody reads any more.
      const invalid = join(dir, 'invalid.json');
      await writeFile(invalid, '{}');
      const result = await runIntoClosedPipe(['process', 'lint', '--format', 'json', invalid]);
      expect(result.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
      expect(result.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
