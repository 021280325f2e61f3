import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevProcess } from '@ameide/cli/testing';
import { median, report } from './lib/measure.js';

/** `ameide dev` as the CLI's e2e tests start it (spawn to the ready line, at most 120 s). */
const startDev = (home: string, env?: Record<string, string>) =>
  startDevProcess(home, { readyTimeoutMs: 120_000, ...(env ? { env } : {}) });

/** The same command run from its TypeScript sources through tsx, as it ran before the build. */
const FROM_SOURCE = { AMEIDE_FROM_SOURCE: '1' };

/**
 * `ameide dev` on its embedded defaults (PGlite, a spawned Temporal dev
 * server), as a user starts it: (a) warm start, spawn to the ready line, with
 * the state of an earlier start in its home, vs the cold start into an empty
 * home; (b) the resident memory of its whole process tree once idle vs a bare
 * `node` process; (c) both again with the command run from source through tsx
 * (`AMEIDE_FROM_SOURCE=1`) instead of compiled. Linux only (reads /proc).
 */
export async function benchDev(): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'ameide-bench-dev-'));
  try {
    const cold = await startDev(home);
    await cold.stop();
    const warm: number[] = [];
    let rss = 0;
    for (let i = 0; i < 3; i++) {
      const dev = await startDev(home);
      warm.push(dev.readyMs);
      if (i === 0) {
        await sleep(5_000);
        rss = treeRssBytes(dev.pid);
      }
      await dev.stop();
    }
    const fromSource: number[] = [];
    let fromSourceRss = 0;
    for (let i = 0; i < 3; i++) {
      const dev = await startDev(home, FROM_SOURCE);
      fromSource.push(dev.readyMs);
      if (i === 0) {
        await sleep(5_000);
        fromSourceRss = treeRssBytes(dev.pid);
      }
      await dev.stop();
    }
    const bare = await bareNodeRssBytes();
    const warmMs = median(warm);
    const fromSourceMs = median(fromSource);
    report('ameide dev, cold start (empty home)', cold.readyMs, 'ms', 1, 'itself');
    report(
      'ameide dev, warm start',
      warmMs,
      'ms',
      warmMs / cold.readyMs,
      'cold start (time ratio; median of 3)',
    );
    report(
      'ameide dev, warm start, compiled vs from source (tsx)',
      warmMs,
      'ms',
      warmMs / fromSourceMs,
      `the same start from source, ${Math.round(fromSourceMs)} ms (median of 3)`,
    );
    report('bare node process, RSS', bare / 2 ** 20, 'MB', 1, 'itself');
    report(
      'ameide dev process tree, idle RSS (node + temporal)',
      rss / 2 ** 20,
      'MB',
      rss / bare,
      'bare node process',
    );
    report(
      'ameide dev process tree, idle RSS, compiled vs from source (tsx)',
      rss / 2 ** 20,
      'MB',
      rss / fromSourceRss,
      `the same tree from source, ${Math.round(fromSourceRss / 2 ** 20)} MB`,
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** VmRSS of `pid` and every descendant, from /proc. */
function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      rss.set(pid, kb * 1024);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // Gone in between.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function bareNodeRssBytes(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  await sleep(1_000);
  const bytes = treeRssBytes(child.pid!);
  child.kill();
  await new Promise((r) => child.once('exit', r));
  return bytes;
}
