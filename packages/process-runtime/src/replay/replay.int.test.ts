import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../testing/example-plans.js';
import { MANIFEST } from '../testing/example-scenarios.js';
import { historyFromJson } from '../testing/history-json.js';
import { getWorkflowBundle } from '../worker/workflow-bundle.js';

// Replays the recorded history of every example path (scripts/record-histories.ts) against the
// interpreter as it is now: a change that alters the commands an old history produced fails here.
// Needs no server. See "Patching rule for interpreter changes" in the README.
const HISTORIES = fileURLToPath(new URL('../../histories/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${HISTORIES}${MANIFEST}`, 'utf8')) as Record<
  string,
  string
>;
const files = readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json') && f !== MANIFEST)
  .sort();
const load = (file: string) =>
  historyFromJson(JSON.parse(readFileSync(`${HISTORIES}${file}`, 'utf8')));

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already in this process.
  }
});

async function replay(
  histories: Array<{ workflowId: string; history: ReturnType<typeof load> }>,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: await getWorkflowBundle() },
    histories,
  ))
    results.push(r);
  return results;
}

describe('replay of recorded histories', () => {
  it('every example process has at least one recorded history', () => {
    const examples = readdirSync(EXAMPLES_DIR)
      .filter((f) => f.endsWith('.bpmn'))
      .map((f) => f.slice(0, -'.bpmn'.length));
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const recorded = new Set(files.map((f) => f.split('.')[0]));
    expect(
      examples.filter((e) => !recorded.has(e)),
      'run scripts/record-histories.ts',
    ).toEqual([]);
    expect(Object.keys(manifest).sort()).toEqual(files);
  });

  it(
    'the current interpreter replays every history without a determinism violation',
    { timeout: 180_000 },
    async () => {
      const results = await replay(
        files.map((f) => ({ workflowId: manifest[f]!, history: load(f) })),
      );
      expect(results).toHaveLength(files.length);
      const failed = results
        .filter((r) => r.error !== undefined)
        .map((r) => `${r.workflowId}: ${String(r.error)}`);
      expect(failed).toEqual([]);
    },
  );

  it(
    'a history whose commands differ from what the interpreter does is reported (the check has teeth)',
    { timeout: 120_000 },
    async () => {
      const history = load('order-to-cash.json');
      // Pretend an old interpreter scheduled another activity first.
      const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
      scheduled!.activityTaskScheduledEventAttributes!.activityType = { name: 'somethingElse' };
      const [result] = await replay([{ workflowId: manifest['order-to-cash.json']!, history }]);
      expect(result?.error?.name).toBe('DeterminismViolationError');
    },
  );
});
