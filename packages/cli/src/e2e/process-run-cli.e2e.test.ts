import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

// `ameide process start|list|show|cancel|message|signal` and `ameide task list|complete` against
// `ameide dev`
// (real sales domain, process runtime on the test run's Temporal server, demo examples published).
let home: string;
let dev: DevPlatform;
let customerId: string;
const cli = (...args: string[]) =>
  runCli([
    '--home',
    home,
    ...args,
    ...(['process', 'task'].includes(args[0]!) ? ['--url', dev.url] : []),
  ]);

async function until<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
const json = <T>(r: { code: number | null; stdout: string; stderr: string }): T => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};
interface Instance {
  instanceId: string;
  status: string;
  tokens?: Array<{ nodeId: string }>;
  audit?: Array<{ event: string; nodeId?: string; by?: string }>;
}
interface Task {
  taskId: string;
  instanceId: string;
  nodeId: string;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ameide-process-run-'));
  dev = await startDev(home, ['--temporal-address', inject('temporalAddress')]);
  customerId = /demo customer: (\S+)/.exec(dev.output())?.[1] ?? '';
  expect(customerId).not.toBe('');
  const login = await runCli([
    '--home',
    home,
    'login',
    '--dev',
    '--tenant',
    'demo',
    '--user',
    'alice',
    '--groups',
    'sales',
  ]);
  expect(login.code, login.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await dev?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('ameide process run commands and ameide task', () => {
  it(
    'starts order-to-cash, completes its approval task by task id, shows the finished instance',
    { timeout: 180_000 },
    async () => {
      const input = {
        customerId,
        currency: 'EUR',
        sku: 'SKU-1',
        quantity: 2,
        unitPriceMinor: 1250,
        paymentReference: 'PAY-CLI-1',
      };
      const started = await cli(
        'process',
        'start',
        'order-to-cash',
        '--input',
        JSON.stringify(input),
        '--business-key',
        'PO-CLI-1',
      );
      expect(started.code, started.stderr).toBe(0);
      const id = started.stdout.trim();
      expect(started.stderr).toMatch(/started order-to-cash v\d+ \(plan [0-9a-f]{12}…\)/);

      const tasks = await until(
        async () => json<{ tasks?: Task[] }>(await cli('task', 'list', '--json')).tasks ?? [],
        (ts) => ts.some((t) => t.instanceId === id),
        'approval task',
      );
      const task = tasks.find((t) => t.instanceId === id)!;
      expect(task.nodeId).toBe('Task_ApproveOrder');
      const table = await cli('task', 'list');
      expect(table.stdout).toMatch(/^TASK\s+INSTANCE\s+DEFINITION\s+TITLE/);
      expect(table.stdout).toContain(`${task.taskId}  ${id}  order-to-cash`);

      const waiting = await cli('process', 'show', id);
      expect(waiting.stdout).toMatch(/status\s+running/);
      expect(waiting.stdout).toMatch(
        /Active tokens \(1\)\n\s*TOKEN\s+NODE\s+SCOPE\s+WAITING FOR\n\S+\s+Task_ApproveOrder\s+root\s+userTask/,
      );

      const bad = await cli('task', 'complete', task.taskId, '--data', '[true]');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--data must be a JSON object');
      const done = await cli('task', 'complete', task.taskId, '--data', '{"approved": true}');
      expect(done.code, done.stderr).toBe(0);

      const finished = await until(
        async () => json<Instance>(await cli('process', 'show', id, '--json')),
        (p) => p.status !== 'INSTANCE_STATUS_RUNNING',
        'finished',
      );
      expect(finished.status).toBe('INSTANCE_STATUS_COMPLETED');
      expect(finished.audit).toContainEqual(
        expect.objectContaining({
          event: 'taskCompleted',
          nodeId: 'Task_ApproveOrder',
          by: 'alice',
        }),
      );
      const shown = await cli('process', 'show', id);
      expect(shown.stdout).toMatch(/status\s+completed/);
      expect(shown.stdout).toMatch(/Audit trail \(\d+\)\n\s*SEQ\s+AT\s+EVENT\s+NODE\s+BY\s+DETAIL/);
      expect(shown.stdout).toMatch(/taskCompleted\s+Task_ApproveOrder\s+alice/);
      expect(shown.stdout).toContain('"approved": true');

      const listed = await until(
        async () =>
          (
            await cli(
              'process',
              'list',
              '--definition',
              'order-to-cash',
              '--status',
              'completed',
              '--business-key',
              'PO-CLI-1',
            )
          ).stdout,
        (out) => out.includes(id),
        'listed as completed',
      );
      expect(listed).toMatch(new RegExp(`${id}\\s+order-to-cash\\s+\\d+\\s+completed\\s+PO-CLI-1`));
    },
  );

  it(
    'cancels an instance waiting for approval; a task of another instance is refused by instance:task',
    { timeout: 180_000 },
    async () => {
      const input = {
        customerId,
        currency: 'EUR',
        sku: 'SKU-2',
        quantity: 1,
        unitPriceMinor: 100,
        paymentReference: 'PAY-CLI-2',
      };
      const id = (
        await cli(
          'process',
          'start',
          'order-to-cash',
          '--version',
          'latest',
          '--input',
          JSON.stringify(input),
        )
      ).stdout.trim();
      const task = (
        await until(
          async () =>
            json<{ tasks?: Task[] }>(await cli('task', 'list', '--json', '--instance', id)).tasks ??
            [],
          (ts) => ts.length === 1,
          'task',
        )
      )[0]!;
      const cancelled = await cli('process', 'cancel', id, '--reason', 'customer withdrew');
      expect(cancelled.code, cancelled.stderr).toBe(0);
      const p = await until(
        async () => json<Instance>(await cli('process', 'show', id, '--json')),
        (x) => x.status !== 'INSTANCE_STATUS_RUNNING',
        'cancelled',
      );
      expect(p.status).toBe('INSTANCE_STATUS_CANCELLED');
      const late = await cli(
        'task',
        'complete',
        `${id}:${task.taskId}`,
        '--data',
        '{"approved": true}',
      );
      expect(late.code).toBe(1);
      const unknown = await cli('task', 'complete', 'Task_Nope#1');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no open task Task_Nope#1');
      const badStatus = await cli('process', 'list', '--status', 'sleeping');
      expect(badStatus.code).toBe(1);
      expect(badStatus.stderr).toMatch(/one of running, completed, failed, cancelled/);
    },
  );

  it(
    'a message starts order-intake once per message id; a signal starts recall-notice with its payload',
    { timeout: 180_000 },
    async () => {
      const payload = JSON.stringify({ orderRef: 'web-cli', customer: 'c-1', amountMinor: 500 });
      const send = () =>
        cli(
          'process',
          'message',
          'OrderReceived',
          'web-cli',
          '--message-id',
          'shop-cli-1',
          '--payload',
          payload,
          '--json',
        );
      const first = json<{ instanceIds: string[]; started?: boolean }>(
        await until(send, (r) => r.code === 0, 'message start indexed'),
      );
      expect(first.started).toBe(true);
      expect(first.instanceIds).toHaveLength(1);
      expect(json<{ instanceIds: string[] }>(await send()).instanceIds).toEqual(first.instanceIds);
      const intake = await until(
        async () => json<Instance>(await cli('process', 'show', first.instanceIds[0]!, '--json')),
        (x) => x.status === 'INSTANCE_STATUS_COMPLETED',
        'order-intake completed',
      );
      expect(intake.audit?.some((a) => a.event === 'messageReceived')).toBe(true);

      const signal = await cli(
        'process',
        'signal',
        'ProductRecall',
        '--payload',
        '{"recalledProduct": "kettle K2"}',
      );
      expect(signal.code, signal.stderr).toBe(0);
      const started = /^started (\S+)$/m.exec(signal.stdout)?.[1];
      expect(started, signal.stdout).toBeDefined();
      await until(
        async () => json<Instance>(await cli('process', 'show', started!, '--json')),
        (x) => x.status === 'INSTANCE_STATUS_COMPLETED',
        'recall-notice completed',
      );
      const bad = await cli('process', 'signal', 'ProductRecall', '--payload', '[1]');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--payload must be a JSON object');
    },
  );
});
