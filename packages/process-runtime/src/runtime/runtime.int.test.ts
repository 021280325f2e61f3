import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadOrCreateDevIdentity } from '@ameide/server';
import { createScriptedAgentInvoker } from '../activities/agent-invoker.js';
import { createStaticPlanSource } from '../activities/plan-source.js';
import { createDevTokenProvider } from '../activities/token-provider.js';
import { workflowIdOf } from '../client/instance-id.js';
import { compileExample, compilePlan, EXAMPLES_DIR } from '../testing/example-plans.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';
import { draftSaga, draftSagaCreate, draftSagaLine } from '../testing/test-plans.js';
import { createProcessWorker } from '../worker/create-process-worker.js';

const fixtures: RuntimeFixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.close();
});
const o2c = {
  customerId: 'c-1',
  currency: 'EUR',
  paymentReference: 'PAY-1',
  quantity: 1,
  sku: 'S',
  unitPriceMinor: 10,
};

describe('version pinning', () => {
  it('instances finish on the plan they started with after a new version is published', async () => {
    const rt = await startRuntimeFixture(inject('temporalAddress'), 'pinning');
    fixtures.push(rt);
    const v1 = await compileExample('order-to-cash');
    const v2 = await compilePlan(
      readFileSync(`${EXAMPLES_DIR}order-to-cash.bpmn`, 'utf8').replaceAll(
        'Approve order',
        'Approve order (v2)',
      ),
    );
    expect(v2.hash).not.toBe(v1.hash);
    const c = rt.caller('pin', 'alice', ['sales']);
    rt.publish('order-to-cash', 1, v1);
    const old = [];
    for (let i = 0; i < 2; i++)
      old.push(
        (
          await rt.processes.start(c, {
            definition: { name: 'order-to-cash' },
            version: 'latest',
            variables: o2c,
          })
        ).instanceId,
      );
    rt.publish('order-to-cash', 2, v2);
    const fresh = [];
    for (let i = 0; i < 2; i++)
      fresh.push(
        (
          await rt.processes.start(c, {
            definition: { name: 'order-to-cash' },
            version: 'latest',
            variables: o2c,
          })
        ).instanceId,
      );
    const explicitOld = (
      await rt.processes.start(c, {
        definition: { name: 'order-to-cash' },
        version: 1,
        variables: o2c,
      })
    ).instanceId;
    const expectTitle = {
      [explicitOld]: 'Approve order',
      ...Object.fromEntries(old.map((id) => [id, 'Approve order'])),
      ...Object.fromEntries(fresh.map((id) => [id, 'Approve order (v2)'])),
    };
    for (const [id, title] of Object.entries(expectTitle)) {
      const [task] = await eventually(
        () => rt.processes.listUserTasks(c, { instanceId: id }),
        (t) => t.length === 1,
      );
      expect(task?.title).toBe(title);
      await rt.processes.completeUserTask(c, id, task!.taskId, { approved: true });
    }
    for (const [id, title] of Object.entries(expectTitle)) {
      const d = await eventually(
        () => rt.processes.get(c, id),
        (x) => x.status === 'COMPLETED' && x.state?.status === 'COMPLETED',
      );
      const v = title.endsWith('(v2)')
        ? { version: 2, planHash: v2.hash }
        : { version: 1, planHash: v1.hash };
      expect(d.state?.definition).toMatchObject(v);
      expect(d.version).toBe(v.version);
    }
  });

  it('refuses to run a plan whose stored bytes do not match the pinned hash', async () => {
    const rt = await startRuntimeFixture(inject('temporalAddress'), 'hash', { worker: false });
    fixtures.push(rt);
    const plan = await compileExample('order-to-cash');
    const tampered = plan.json.replace('Approve order', 'Approve 0rder');
    const c = rt.caller('tamper', 'alice', ['sales']);
    // Tampered before the start: the start reads the plan, checks it there and starts nothing.
    const early = rt.publish('tampered', 1, { ...plan, json: tampered });
    expect(early.planHash).toBe(plan.hash);
    await expect(
      rt.processes.start(c, { definition: { name: 'tampered' }, version: 1, variables: o2c }),
    ).rejects.toMatchObject({ code: 'data_loss', reason: 'PLAN_HASH_MISMATCH' });
    // Tampered after the start: the worker (here with a plan source of its own, as a worker in
    // another process has) checks the bytes it reads against the pinned hash.
    const ref = rt.publish('late', 1, plan);
    expect(ref.planHash).toBe(plan.hash);
    const { instanceId } = await rt.processes.start(c, {
      definition: { name: 'late' },
      version: 1,
      variables: o2c,
    });
    const entries = rt.published as Array<(typeof rt.published)[number]>;
    const at = entries.findIndex((e) => e.ref === ref);
    entries[at] = { ...entries[at]!, planJson: tampered };
    const worker = await createProcessWorker({
      connection: rt.connection,
      taskQueue: rt.taskQueue,
      activities: {
        plans: createStaticPlanSource(entries),
        tokens: createDevTokenProvider(rt.identity),
        serviceUrl: rt.sales.url,
      },
    });
    rt.worker = worker;
    void worker.run();
    const d = await eventually(
      () => rt.processes.get(c, instanceId),
      (x) => x.status === 'FAILED',
    );
    expect(d.failure).toMatch(/pinned to/);
  });
});

// An error end after two compensable steps undoes them newest first.
describe('compensation', () => {
  it('an uncaught error end undoes the completed steps newest first, then fails the instance', async () => {
    const rt = await startRuntimeFixture(inject('temporalAddress'), 'compensation');
    fixtures.push(rt);
    rt.publish(
      'draft-saga',
      1,
      await compilePlan(
        draftSaga(
          'draft-saga',
          draftSagaCreate +
            draftSagaLine('Task_Line1', 'F2', 'F3', 'lineId') +
            draftSagaLine('Task_Line2', 'F3', 'F4', 'line2'),
        ),
      ),
    );
    const c = rt.caller('comp');
    const { instanceId } = await rt.processes.start(c, {
      definition: { name: 'draft-saga' },
      version: 1,
      variables: {},
    });
    const d = await eventually(
      () => rt.processes.get(c, instanceId),
      (x) => x.status === 'FAILED' && x.state?.status === 'FAILED',
    );
    expect(d.state?.errorCode).toBe('OutOfStock');
    expect(d.state?.audit.filter((a) => a.event === 'compensated').map((a) => a.nodeId)).toEqual([
      'Task_Line2',
      'Task_Line1',
      'Task_Create',
    ]);
    const calls = rt.sales.callsOf('comp');
    expect(calls.map((x) => x.rpc)).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'AddOrderLine',
      'RemoveOrderLine',
      'RemoveOrderLine',
      'CancelOrder',
    ]);
    const orderId = d.state?.variables['orderId'] as string;
    const removed = calls
      .filter((x) => x.rpc === 'RemoveOrderLine')
      .map((x) => (x.request as { lineId: string }).lineId);
    expect(removed).toEqual([d.state?.variables['line2'], d.state?.variables['lineId']]);
    expect(rt.sales.order('comp', orderId)).toMatchObject({ status: 5, lines: [] });

    // Plan loading and the lifecycle events ran inside the workflow task (local activities):
    // the task queue carried the six sales calls only.
    const events =
      (await rt.temporal.workflow.getHandle(workflowIdOf('comp', instanceId)).fetchHistory())
        .events ?? [];
    expect(
      events
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name) => name !== undefined),
    ).toEqual(Array.from({ length: 6 }, () => 'callService'));
    const local = events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => {
        const data = e.markerRecordedEventAttributes!.details!['data']!.payloads![0]!.data!;
        return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string })
          .activity_type;
      });
    expect(local).toEqual(['recordInstanceEvent', 'loadPlan', 'recordInstanceEvent']);
  });
});

describe('continue-as-new', () => {
  it('rolls over at wait states keeping variables, open tasks and join arrivals', async () => {
    const rt = await startRuntimeFixture(inject('temporalAddress'), 'can', {
      instanceOptions: { continueAsNewAfterEvents: 10 },
      agents: createScriptedAgentInvoker(() => 'draft'),
    });
    fixtures.push(rt);
    rt.publish('parallel-fulfilment', 1, await compileExample('parallel-fulfilment'));
    const c = rt.caller('can', 'wendy', ['warehouse']);
    const orderId = rt.sales.seedOrder('can', 100);
    const { instanceId } = await rt.processes.start(c, {
      definition: { name: 'parallel-fulfilment' },
      version: 1,
      variables: { orderId },
    });
    const handle = rt.temporal.workflow.getHandle(workflowIdOf('can', instanceId));
    const firstRun = (await handle.describe()).runId;
    const tasks = await eventually(
      () => rt.processes.listUserTasks(c, { instanceId }),
      (t) => t.length === 2,
    );
    await eventually(
      () => handle.describe(),
      (d) => d.runId !== firstRun,
    );
    const pick = tasks.find((t) => t.nodeId === 'Task_Pick')!;
    await rt.processes.completeUserTask(c, instanceId, pick.taskId, {});
    const mid = await eventually(
      () => rt.processes.get(c, instanceId),
      (d) => (d.state?.tokens ?? []).some((t) => t.waitingFor === 'join'),
    );
    expect(
      mid.state?.userTasks.map((t) => t.nodeId),
      JSON.stringify(mid.state?.audit.map((a) => [a.event, a.nodeId, a.detail])),
    ).toEqual(['Task_Pack']);
    const pack = tasks.find((t) => t.nodeId === 'Task_Pack')!;
    await rt.processes.completeUserTask(c, instanceId, pack.taskId, {});
    const d = await eventually(
      () => rt.processes.get(c, instanceId),
      (x) => x.status === 'COMPLETED' && x.state?.status === 'COMPLETED',
    );
    expect(
      d.state?.audit.filter((a) => a.event === 'continuedAsNew').length,
    ).toBeGreaterThanOrEqual(1);
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(d.state?.variables['lines']).toHaveLength(1);
    expect(
      d.state?.audit.filter((a) => a.event === 'completed' && a.nodeId === 'Gateway_Join'),
    ).toHaveLength(1);
    expect(rt.sales.order('can', orderId)?.status).toBe(4);
  });
});

describe('worker crash', () => {
  it(
    'after SIGKILL of the worker process mid-instance, a new worker completes every instance',
    { timeout: 240_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ameide-crash-'));
      const identity = await loadOrCreateDevIdentity(dir);
      const rt = await startRuntimeFixture(inject('temporalAddress'), 'crash', {
        worker: false,
        identity,
      });
      fixtures.push(rt);
      rt.publish('order-to-cash', 1, await compileExample('order-to-cash'));
      rt.publish('payment-wait', 1, await compileExample('payment-wait'));
      const plansFile = join(dir, 'plans.json');
      writeFileSync(plansFile, JSON.stringify(rt.published));
      const script = fileURLToPath(new URL('../testing/worker-process.ts', import.meta.url));
      const startWorker = async (): Promise<ChildProcess> => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          env: {
            ...process.env,
            AMEIDE_DEV_DIR: dir,
            AMEIDE_PLANS_FILE: plansFile,
            AMEIDE_TEMPORAL_ADDRESS: rt.address,
            AMEIDE_TASK_QUEUE: rt.taskQueue,
            AMEIDE_SERVICE_URL: rt.sales.url,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
          child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        });
        return child;
      };
      try {
        const c = rt.caller('crash', 'alice', ['sales']);
        const first = await startWorker();
        const o2cIds: string[] = [];
        const waitIds: Array<[string, string]> = [];
        for (let i = 0; i < 4; i++)
          o2cIds.push(
            (
              await rt.processes.start(c, {
                definition: { name: 'order-to-cash' },
                version: 1,
                variables: o2c,
              })
            ).instanceId,
          );
        for (let i = 0; i < 4; i++) {
          const orderId = rt.sales.seedOrder('crash', 100, 1);
          waitIds.push([
            (
              await rt.processes.start(c, {
                definition: { name: 'payment-wait' },
                version: 1,
                variables: { orderId, currency: 'EUR' },
              })
            ).instanceId,
            orderId,
          ]);
        }
        // Kill while some instances are mid-flight (service tasks) and others wait.
        await eventually(
          () => Promise.resolve(rt.sales.callsOf('crash').length),
          (n) => n >= 3,
          60_000,
        );
        first.kill('SIGKILL');
        await new Promise((r) => first.once('exit', r));
        const second = await startWorker();
        try {
          for (const id of o2cIds) {
            const [task] = await eventually(
              () => rt.processes.listUserTasks(c, { instanceId: id }),
              (t) => t.length === 1,
              60_000,
            );
            await rt.processes.completeUserTask(c, id, task!.taskId, { approved: true });
          }
          for (const [id, orderId] of waitIds) {
            await eventually(
              () => rt.processes.get(c, id),
              (d) => (d.state?.tokens ?? []).some((t) => t.waitingFor === 'message'),
              60_000,
            );
            await rt.processes.correlateMessage(c, {
              name: 'PaymentReceived',
              correlationKey: orderId,
              instanceId: id,
              payload: { paymentReference: `P-${orderId}` },
            });
          }
          for (const id of [...o2cIds, ...waitIds.map(([x]) => x)]) {
            const d = await eventually(
              () => rt.processes.get(c, id),
              (x) => x.status !== 'RUNNING',
              60_000,
            );
            expect(d.status).toBe('COMPLETED');
          }
        } finally {
          second.kill('SIGTERM');
          await new Promise((r) => second.once('exit', r));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
