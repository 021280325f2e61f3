import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromConnectError } from '@ameide/errors';
import { authInterceptor } from '@ameide/sdk';
import { startTestHost, type TestHost } from '@ameide/server/testing';
import { compileExample } from '../testing/example-plans.js';
import {
  eventually,
  startRuntimeFixture,
  type RuntimeFixture,
} from '../testing/runtime-fixture.js';
import { workflowIdOf } from '../client/instance-id.js';
import { processServiceRoutes } from './process-service.js';
import { InstanceStatus, ProcessService } from '@ameide/proto';

let rt: RuntimeFixture;
let host: TestHost<Client<typeof ProcessService>>;
beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'process-service');
  rt.publish('order-to-cash', 1, await compileExample('order-to-cash'));
  host = await startTestHost({
    identity: rt.identity,
    primitive: { type: 'process', name: 'test' },
    services: [processServiceRoutes(rt.processes)],
    client: ({ baseUrl, token }) =>
      createClient(
        ProcessService,
        createConnectTransport({
          baseUrl,
          httpVersion: '1.1',
          interceptors: [authInterceptor(token)],
        }),
      ),
  });
});
afterAll(async () => {
  await host?.close();
  await rt?.close();
});

function clientFor(
  tenantId: string,
  userId: string,
  groups: string[],
): Promise<Client<typeof ProcessService>> {
  return host.clientFor(tenantId, userId, groups);
}
const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return fromConnectError(err).code;
  }
};
const variables = {
  customerId: 'c-1',
  currency: 'EUR',
  paymentReference: 'PAY-1',
  quantity: 1,
  sku: 'S',
  unitPriceMinor: 10,
};

describe('ProcessService', () => {
  it('starts, lists, drives and finishes an instance over Connect', async () => {
    const alice = await clientFor('svc-a', 'alice', ['sales']);
    const started = await alice.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      variables,
      businessKey: 'PO-7',
    });
    expect(started.definition).toMatchObject({ name: 'order-to-cash', version: 1 });
    const { tasks } = await eventually(
      () => alice.listUserTasks({}),
      (r) => r.tasks.length === 1,
    );
    expect(tasks[0]).toMatchObject({
      instanceId: started.instanceId,
      nodeId: 'Task_ApproveOrder',
      definitionName: 'order-to-cash',
    });
    const listed = await eventually(
      () => alice.listProcessInstances({ businessKey: 'PO-7' }),
      (r) => r.instances.length === 1,
    );
    expect(listed.instances[0]).toMatchObject({
      instanceId: started.instanceId,
      status: InstanceStatus.RUNNING,
    });
    await alice.completeUserTask({
      instanceId: started.instanceId,
      taskId: tasks[0]!.taskId,
      data: { approved: true },
    });
    const done = await eventually(
      () => alice.getProcessInstance({ instanceId: started.instanceId }),
      (r) => r.instance?.status === InstanceStatus.COMPLETED,
    );
    expect(done.instance?.variables).toMatchObject({ approved: true, amountMinor: 10 });
    expect(done.instance?.audit.some((a) => a.event === 'taskCompleted' && a.by === 'alice')).toBe(
      true,
    );
    const completedList = await eventually(
      () =>
        alice.listProcessInstances({
          status: InstanceStatus.COMPLETED,
          definitionName: 'order-to-cash',
        }),
      (r) => r.instances.some((i) => i.instanceId === started.instanceId),
    );
    expect(completedList.instances.every((i) => i.status === InstanceStatus.COMPLETED)).toBe(true);
  });

  it('refuses start variables that miss a required variable, naming it', async () => {
    const alice = await clientFor('svc-a', 'alice', ['sales']);
    const err = await alice
      .startProcess({
        definition: { case: 'definitionName', value: 'order-to-cash' },
        variables: { currency: 'EUR' },
      })
      .catch((e: unknown) => fromConnectError(e));
    expect(err).toMatchObject({ code: 'invalid_argument' });
    expect(
      (err as unknown as { fieldViolations: Array<{ field: string }> }).fieldViolations.map(
        (v) => v.field,
      ),
    ).toContain('variables.customerId');
    expect(
      await codeOf(
        alice.startProcess({
          definition: { case: 'definitionName', value: 'no-such-process' },
          variables,
        }),
      ),
    ).toBe('not_found');
  });

  it('isolates tenants: another tenant cannot see, list, complete, signal or cancel an instance', async () => {
    const alice = await clientFor('iso-a', 'alice', ['sales']);
    const mallory = await clientFor('iso-b', 'mallory', ['sales']);
    const { instanceId } = await alice.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      variables,
    });
    const { tasks } = await eventually(
      () => alice.listUserTasks({ instanceId }),
      (r) => r.tasks.length === 1,
    );
    const taskId = tasks[0]!.taskId;
    await eventually(
      () => alice.listProcessInstances({}),
      (r) => r.instances.length === 1,
    );

    expect(await codeOf(mallory.getProcessInstance({ instanceId }))).toBe('not_found');
    expect((await mallory.listProcessInstances({})).instances).toEqual([]);
    expect((await mallory.listUserTasks({})).tasks).toEqual([]);
    expect(await codeOf(mallory.listUserTasks({ instanceId }))).toBe('not_found');
    expect(
      await codeOf(mallory.completeUserTask({ instanceId, taskId, data: { approved: false } })),
    ).toBe('not_found');
    expect(
      await codeOf(mallory.correlateMessage({ instanceId, messageName: 'X', correlationKey: 'k' })),
    ).toBe('not_found');
    expect(await codeOf(mallory.cancelProcess({ instanceId }))).toBe('not_found');
    // The workflow id of another tenant's instance, passed as an instance id, is still scoped.
    expect(
      await codeOf(mallory.getProcessInstance({ instanceId: workflowIdOf('iso-a', instanceId) })),
    ).toBe('not_found');

    const still = await alice.getProcessInstance({ instanceId });
    expect(still.instance?.status).toBe(InstanceStatus.RUNNING);
    expect(still.instance?.userTasks.map((t) => t.taskId)).toEqual([taskId]);
    await alice.cancelProcess({ instanceId });
    await eventually(
      () => alice.getProcessInstance({ instanceId }),
      (r) => r.instance?.status === InstanceStatus.CANCELLED,
    );
  });

  it('rejects wrong user, invalid form data and closed tasks without touching history', async () => {
    const alice = await clientFor('val', 'alice', ['sales']);
    const bob = await clientFor('val', 'bob', ['warehouse']);
    const { instanceId } = await alice.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      variables,
    });
    const { tasks } = await eventually(
      () => alice.listUserTasks({ instanceId }),
      (r) => r.tasks.length === 1,
    );
    const taskId = tasks[0]!.taskId;
    const handle = rt.temporal.workflow.getHandle(workflowIdOf('val', instanceId));
    const before = (await handle.fetchHistory()).events?.length ?? 0;

    expect((await bob.listUserTasks({ instanceId })).tasks).toEqual([]);
    expect(
      await codeOf(bob.completeUserTask({ instanceId, taskId, data: { approved: true } })),
    ).toBe('permission_denied');
    const invalid = await alice
      .completeUserTask({ instanceId, taskId, data: { approved: 'yes', comment: 'x'.repeat(501) } })
      .catch((e: unknown) => fromConnectError(e));
    expect(invalid).toMatchObject({ code: 'invalid_argument' });
    expect(
      (invalid as unknown as { fieldViolations: Array<{ field: string }> }).fieldViolations
        .map((v) => v.field)
        .sort(),
    ).toEqual(['data.approved', 'data.comment']);
    expect(await codeOf(alice.completeUserTask({ instanceId, taskId, data: {} }))).toBe(
      'invalid_argument',
    );
    expect(
      await codeOf(
        alice.completeUserTask({
          instanceId,
          taskId: 'Task_ApproveOrder#999',
          data: { approved: true },
        }),
      ),
    ).toBe('failed_precondition');
    expect((await handle.fetchHistory()).events?.length ?? 0).toBe(before);

    await alice.completeUserTask({ instanceId, taskId, data: { approved: false } });
    expect(
      await codeOf(alice.completeUserTask({ instanceId, taskId, data: { approved: true } })),
    ).toBe('failed_precondition');
    const done = await eventually(
      () => alice.getProcessInstance({ instanceId }),
      (r) => r.instance?.status === InstanceStatus.COMPLETED,
    );
    expect(done.instance?.variables?.['approved']).toBe(false);
  });

  it('starts once per idempotency key, running or ended, and refuses the key for another start', async () => {
    const alice = await clientFor('keyed', 'alice', ['sales']);
    const bob = await clientFor('keyed-other', 'bob', ['sales']);
    const start = (key: string, v: typeof variables = variables) =>
      alice.startProcess(
        { definition: { case: 'definitionName', value: 'order-to-cash' }, variables: v },
        { headers: { 'idempotency-key': key } },
      );
    const [first, again] = await Promise.all([start('po-42'), start('po-42')]);
    expect(again.instanceId).toBe(first.instanceId);
    expect(again.definition).toEqual(first.definition);
    // Another tenant's key of the same text is its own.
    const theirs = await bob.startProcess(
      { definition: { case: 'definitionName', value: 'order-to-cash' }, variables },
      { headers: { 'idempotency-key': 'po-42' } },
    );
    expect(theirs.instanceId).not.toBe(first.instanceId);
    const reused = await start('po-42', { ...variables, quantity: 2 }).catch((e: unknown) =>
      fromConnectError(e),
    );
    expect(reused).toMatchObject({ code: 'failed_precondition' });
    expect((reused as Error).message).toContain('idempotency key po-42 was already used');
    expect(await codeOf(start('k'.repeat(513)))).toBe('invalid_argument');

    const { tasks } = await eventually(
      () => alice.listUserTasks({ instanceId: first.instanceId }),
      (r) => r.tasks.length === 1,
    );
    await alice.completeUserTask({
      instanceId: first.instanceId,
      taskId: tasks[0]!.taskId,
      data: { approved: false },
    });
    await eventually(
      () => alice.getProcessInstance({ instanceId: first.instanceId }),
      (r) => r.instance?.status === InstanceStatus.COMPLETED,
    );
    // Ended: the key still answers that instance, and no second run starts.
    expect((await start('po-42')).instanceId).toBe(first.instanceId);
    const { instances } = await alice.listProcessInstances({});
    expect(instances.filter((i) => i.instanceId === first.instanceId)).toHaveLength(1);
    const runs = rt.temporal.workflow.list({
      query: `WorkflowId = '${workflowIdOf('keyed', first.instanceId)}'`,
    });
    let count = 0;
    for await (const _ of runs) count++;
    expect(count).toBe(1);
  });
});
