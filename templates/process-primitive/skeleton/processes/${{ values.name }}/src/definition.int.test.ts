// The ${{ values.name }} process on the test Temporal server: the interpreter worker on a task
// queue of its own runs the compiled plan; a reviewer of the group completes the review task.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { compileProcessDefinition } from '@ameide/process-definition';
import {
  createDevTokenProvider,
  createProcessClient,
  createProcessWorker,
  createStaticPlanSource,
  type ProcessClient,
  type ProcessWorker,
} from '@ameide/process-runtime';
import { createEphemeralDevIdentity } from '@ameide/server';
import { DEFINITION_ID, definition } from './definition.js';

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('${{ values.name }} on Temporal', () => {
  let clientConnection: Connection;
  let connection: NativeConnection;
  let worker: ProcessWorker;
  let processes: ProcessClient;
  const reviewer = { tenantId: 'acme', orgId: 'acme-org', userId: 'rita', groups: ['${{ values.reviewerGroup }}'] };

  beforeAll(async () => {
    const address = inject('temporalAddress');
    const compiled = compileProcessDefinition(definition);
    if (!compiled.ok) throw new Error('the definition does not compile');
    const plans = createStaticPlanSource([
      { ref: { definitionId: `def-${DEFINITION_ID}`, name: DEFINITION_ID, version: 1, planHash: compiled.hash }, planJson: compiled.json },
    ]);
    const taskQueue = `${DEFINITION_ID}-${randomUUID()}`;
    clientConnection = await Connection.connect({ address });
    connection = await NativeConnection.connect({ address });
    const identity = await createEphemeralDevIdentity();
    worker = await createProcessWorker({
      connection,
      taskQueue,
      // The review needs no domain call; service tasks you add call through serviceUrl.
      activities: { plans, tokens: createDevTokenProvider(identity), serviceUrl: 'http://127.0.0.1:9' },
    });
    void worker.run();
    processes = createProcessClient({ temporal: new Client({ connection: clientConnection }), taskQueue, plans });
  });
  afterAll(async () => {
    await worker?.shutdown();
    await connection?.close();
    await clientConnection?.close();
  });

  it.each([
    [true, 'End_Approved'],
    [false, 'End_Rejected'],
  ])('runs to the end: approved=%s', { timeout: 120_000 }, async (approved, end) => {
    const { instanceId } = await processes.start(reviewer, {
      definition: { name: DEFINITION_ID },
      version: 'latest',
      variables: { subject: `request ${randomUUID()}` },
    });
    const [task] = await eventually(
      () => processes.listUserTasks(reviewer, { instanceId }),
      (tasks) => tasks.length === 1,
    );
    await processes.completeUserTask(reviewer, instanceId, task!.taskId, { approved, comment: 'ok' });
    const done = await eventually(
      () => processes.get(reviewer, instanceId),
      (i) => i.status === 'COMPLETED',
    );
    expect(done.state?.variables).toMatchObject({ approved });
    expect(JSON.stringify(done.state)).toContain(end);
  });
});
