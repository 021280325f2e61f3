import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { compileExample } from '../testing/example-plans.js';
import { workflowIdOf } from './instance-id.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';

// With no worker on the task queue (worker down, or a workflow task that keeps
// failing), Temporal holds a state query for 30 s and then fails it, and a task
// completion (an update) waits as long as the caller does; the ProcessService
// answered `internal` after 30 s, or not at all.

let rt: RuntimeFixture;
let instanceId: string;
const caller = () => rt.caller('no-worker');

beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'query-state', { worker: false });
  rt.publish('order-to-cash', 1, await compileExample('order-to-cash'));
  ({ instanceId } = await rt.processes.start(caller(), {
    definition: { name: 'order-to-cash' },
    version: 'latest',
    variables: {
      customerId: 'c-1',
      currency: 'EUR',
      sku: 'S',
      quantity: 1,
      unitPriceMinor: 10,
      paymentReference: 'P-1',
    },
  }));
});
afterAll(() => rt?.close());

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = Date.now();
  try {
    return { value: await fn(), ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
}

describe('calls no worker answers', () => {
  it("an instance's user tasks: unavailable within seconds, saying no worker runs it", async () => {
    const { error, ms } = await timed(() => rt.processes.listUserTasks(caller(), { instanceId }));
    expect(isAmeideError(error) && error.code).toBe('unavailable');
    expect((error as Error).message).toMatch(
      /did not answer within 3 s: no process worker runs it/,
    );
    expect(ms).toBeLessThan(8_000);
  });

  it('an instance: the visibility view, within seconds', async () => {
    const { value, ms } = await timed(() => rt.processes.get(caller(), instanceId));
    expect(value).toMatchObject({ instanceId, status: 'RUNNING', definition: 'order-to-cash' });
    expect(value?.state).toBeUndefined();
    expect(ms).toBeLessThan(8_000);
  });

  it('a task completion: unavailable within seconds, saying it may still apply', async () => {
    const { error, ms } = await timed(() =>
      rt.processes.completeUserTask(caller(), instanceId, 'Task_ApproveOrder#1', {
        approved: true,
      }),
    );
    expect(isAmeideError(error) && error.code).toBe('unavailable');
    expect((error as Error).message).toMatch(/within 10 s: .* may still apply once a worker runs/);
    expect(ms).toBeLessThan(15_000);
  });

  it('a message and a cancellation do not wait for a worker', async () => {
    const message = await timed(() =>
      rt.processes.correlateMessage(caller(), {
        name: 'PaymentReceived',
        correlationKey: 'P-1',
        instanceId,
      }),
    );
    expect(message.ms).toBeLessThan(5_000);
    const cancel = await timed(() => rt.processes.cancel(caller(), instanceId));
    expect(cancel.error).toBeUndefined();
    expect(cancel.ms).toBeLessThan(5_000);
  });

  it('answers once a worker runs the instance', async () => {
    await rt.startWorker();
    const tasks = await rt.processes.listUserTasks(caller(), { instanceId });
    expect(Array.isArray(tasks)).toBe(true);
  });
});

describe('a completed instance', () => {
  it('reads with its audit trail and variables when no worker runs', async () => {
    const done = await startRuntimeFixture(inject('temporalAddress'), 'final-state');
    try {
      done.publish('order-to-cash', 1, await compileExample('order-to-cash'));
      const who = done.caller('final-state', 'alice', ['sales']);
      const { instanceId: id } = await done.processes.start(who, {
        definition: { name: 'order-to-cash' },
        version: 'latest',
        variables: {
          customerId: 'c-1',
          currency: 'EUR',
          sku: 'S',
          quantity: 2,
          unitPriceMinor: 10,
          paymentReference: 'P-2',
        },
      });
      const [task] = await eventually(
        () => done.processes.listUserTasks(who, { instanceId: id }),
        (tasks) => tasks.length === 1,
      );
      await done.processes.completeUserTask(who, id, task!.taskId, { approved: true });
      // Until the run has closed (the state query says completed a moment earlier).
      await done.temporal.workflow.getHandle(workflowIdOf('final-state', id)).result();
      // A query of a closed run needs a worker to replay it; the result needs none.
      await done.worker?.shutdown();
      done.worker = undefined;
      const read = await done.processes.get(who, id);
      expect(read.status).toBe('COMPLETED');
      expect(read.state?.status).toBe('COMPLETED');
      expect(read.state?.audit.filter((a) => a.event === 'completed').map((a) => a.nodeId)).toEqual(
        [
          'Task_CreateOrder',
          'Task_AddOrderLine',
          'Task_ConfirmOrder',
          'Task_ApproveOrder',
          'Task_RecordPayment',
          'Task_MarkFulfilled',
          'EndEvent_OrderFulfilled',
        ],
      );
      expect(read.state?.audit.find((a) => a.nodeId === 'Task_ApproveOrder' && a.by)?.by).toBe(
        'alice',
      );
      expect(read.state?.variables['orderId']).toEqual(expect.any(String));
    } finally {
      await done.close();
    }
  });
});
