import { describe, expect, it } from 'vitest';
import { compileExample, compilePlan } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales } from '../../testing/fake-sales.js';
import type { ServiceCallRequest } from '../activity-types.js';

// Multi-instance activities on the fake port: parallel with a bound, sequential, output
// collections, completion conditions, failures and continue-as-new between instances
// (examples.int.test.ts runs order-batch on Temporal).

const batch = (lines: number, approvers = ['ann', 'bob', 'cid']) => ({
  customerId: 'c-1',
  currency: 'EUR',
  lines: Array.from({ length: lines }, (_, i) => ({
    sku: `S${i + 1}`,
    quantity: 1,
    unitPriceMinor: 100 * (i + 1),
  })),
  approvers,
});

const at = (p: { x: number; y: number } = { x: 0, y: 0 }) => ({ position: p });

/** S → T (a multi-instance service task calling ConfirmOrder) → E. */
function serviceLoop(multiInstance: Record<string, unknown>, extraNodes: object[] = []) {
  return {
    schemaVersion: 1,
    id: 'loop',
    nodes: [
      { id: 'S', type: 'startEvent', ...at(), data: {} },
      {
        id: 'T',
        type: 'serviceTask',
        ...at(),
        data: {
          binding: {
            service: 'ameide.sales.v1.OrderService',
            method: 'ConfirmOrder',
            input: '{ orderId: id }',
            output: '{ status: response.order.status }',
          },
          multiInstance,
        },
      },
      { id: 'E', type: 'endEvent', ...at(), data: {} },
      ...extraNodes,
    ],
    edges: [
      { id: 'F1', source: 'S', target: 'T' },
      { id: 'F2', source: 'T', target: 'E' },
    ],
  };
}

/** A world whose ConfirmOrder answers only when the test releases it. */
function heldWorld() {
  const held: Array<{ call: ServiceCallRequest; release: () => void }> = [];
  return {
    held,
    world: {
      callService: (call: ServiceCallRequest) =>
        new Promise<Record<string, unknown>>((resolve) => {
          held.push({
            call,
            release: () => resolve({ order: { orderId: call.request['orderId'], status: 2 } }),
          });
        }),
    },
  };
}

describe('multi-instance', () => {
  it('order-batch: one order per line in line order, two approvals complete the vote, the third task is withdrawn', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('order-batch'), {
      world: sales,
      variables: batch(3),
    });
    expect(sales.methods()).toEqual([
      'CreateOrder',
      'CreateOrder',
      'CreateOrder',
      'AddOrderLine',
      'AddOrderLine',
      'AddOrderLine',
    ]);
    const orderIds = i.engine.state.variables['orderIds'] as string[];
    expect(orderIds).toHaveLength(3);
    // Each instance added its own line to its own order.
    expect(orderIds.map((id) => sales.order(id)!.lines[0]!.sku)).toEqual(['S1', 'S2', 'S3']);
    // The instances' locals did not leak into the process variables.
    expect(i.engine.state.variables).not.toHaveProperty('line');
    expect(i.engine.state.variables).not.toHaveProperty('orderId');

    const tasks = i.engine.state.openTasks();
    expect(tasks.map((t) => t.assignee)).toEqual(['ann', 'bob', 'cid']);
    await i.complete('Task_Approve', { approved: true }, 'ann');
    expect(i.engine.state.openTasks()).toHaveLength(2);
    await i.complete('Task_Approve', { approved: true }, 'bob');
    expect(i.engine.state.openTasks()).toEqual([]);
    expect(i.engine.state.audit.filter((a) => a.event === 'taskCancelled')).toHaveLength(1);
    expect(i.engine.state.audit.find((a) => a.event === 'completionConditionMet')).toMatchObject({
      nodeId: 'Task_Approve',
      detail: 'after 2 of 3 instances',
    });
    expect(i.engine.state.variables['approvals']).toEqual([true, true, null]);
    expect(sales.methods().slice(6)).toEqual(['ConfirmOrder', 'ConfirmOrder', 'ConfirmOrder']);
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'EndEvent_Confirmed' },
    });
  });

  it('order-batch: one rejection completes the vote at once, and the orders are cancelled one after another', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('order-batch'), {
      world: sales,
      variables: batch(2),
    });
    await i.complete('Task_Approve', { approved: false }, 'ann');
    expect(i.engine.state.variables['approvals']).toEqual([false, null, null]);
    const cancels = sales.calls.filter((c) => c.rpc.endsWith('/CancelOrder'));
    expect(cancels.map((c) => c.request['orderId'])).toEqual(i.engine.state.variables['orderIds']);
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { endEvent: 'EndEvent_Rejected' },
    });
  });

  it('order-batch: an empty collection completes at once with an empty output collection', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('order-batch'), {
      world: sales,
      variables: batch(0, ['ann']),
    });
    expect(sales.methods()).toEqual([]);
    expect(i.engine.state.variables['orderIds']).toEqual([]);
    await i.complete('Task_Approve', { approved: true }, 'ann');
    expect(sales.methods()).toEqual([]);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'EndEvent_Confirmed' } });
  });

  it('runs at most maxConcurrency instances at once and starts the next as one completes', async () => {
    const { held, world } = heldWorld();
    const ids = Array.from({ length: 7 }, (_, n) => `o${n + 1}`);
    const i = await startFakeInstance(
      await compilePlan(
        serviceLoop({
          inputCollection: 'ids',
          inputElement: 'id',
          outputCollection: 'statuses',
          outputElement: 'status',
          maxConcurrency: 3,
        }),
      ),
      { world, variables: { ids } },
    );
    expect(held.map((h) => h.call.request['orderId'])).toEqual(['o1', 'o2', 'o3']);
    held[1]!.release();
    await i.port.settle();
    expect(held.map((h) => h.call.request['orderId'])).toEqual(['o1', 'o2', 'o3', 'o4']);
    const keys = new Set<string>();
    while (held.length > 0) {
      for (const h of held) keys.add(h.call.idempotencyKey);
      for (const h of held.splice(0)) h.release();
      await i.port.settle();
    }
    expect(i.ended()?.end?.type).toBe('completed');
    expect(i.engine.state.variables['statuses']).toEqual(ids.map(() => 2));
    // Idempotency keys differ per instance.
    expect(keys.size).toBe(ids.length);
  });

  it('sequential: one instance at a time, in input order', async () => {
    const { held, world } = heldWorld();
    const i = await startFakeInstance(
      await compilePlan(
        serviceLoop({ sequential: true, inputCollection: '["a", "b", "c"]', inputElement: 'id' }),
      ),
      { world },
    );
    const seen: unknown[] = [];
    for (let n = 0; n < 3; n++) {
      expect(held).toHaveLength(1);
      const h = held.shift()!;
      seen.push(h.call.request['orderId']);
      h.release();
      await i.port.settle();
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('a failing instance cancels the others and its error reaches the boundary event of the activity', async () => {
    const def = serviceLoop({ inputCollection: '["ok", "bad", "ok2"]', inputElement: 'id' }, [
      {
        id: 'B',
        type: 'boundaryEvent',
        ...at(),
        data: { attachedTo: 'T', interrupting: true, event: { type: 'error' } },
      },
      { id: 'EB', type: 'endEvent', ...at(), data: {} },
    ]);
    def.edges.push({ id: 'F3', source: 'B', target: 'EB' });
    const sales = createFakeSales();
    const i = await startFakeInstance(await compilePlan(def), {
      world: {
        callService: (call) =>
          call.request['orderId'] === 'bad'
            ? sales.callService(call)
            : new Promise<Record<string, unknown>>(() => {}),
      },
    });
    expect(i.ended()?.end).toMatchObject({ type: 'completed', result: { endEvent: 'EB' } });
    expect(i.engine.state.audit.find((a) => a.event === 'errorCaught')).toMatchObject({
      nodeId: 'B',
    });
    expect(i.engine.tokenViews()).toEqual([]);
  });

  it('an input collection that is not a list is an incident naming the expression', async () => {
    const i = await startFakeInstance(
      await compilePlan(serviceLoop({ inputCollection: 'ids', inputElement: 'id' })),
      { variables: { ids: 'o1' } },
    );
    const end = i.ended()?.end;
    expect(end).toMatchObject({ type: 'failed', failureType: 'ProcessIncident' });
    expect(end?.type === 'failed' && end.message).toContain(
      "the input collection 'ids' of T gave string, not a list",
    );
  });

  it('continues as new between instances and the next run starts the remaining ones', async () => {
    const { held, world } = heldWorld();
    const ids = ['o1', 'o2', 'o3', 'o4', 'o5'];
    const compiled = await compilePlan(
      serviceLoop({
        inputCollection: 'ids',
        inputElement: 'id',
        outputCollection: 'statuses',
        outputElement: 'status',
        maxConcurrency: 2,
      }),
    );
    const first = await startFakeInstance(compiled, { world, variables: { ids } });
    expect(held).toHaveLength(2);
    first.port.suggestContinueAsNew = true;
    for (const h of held.splice(0)) h.release();
    await first.port.settle();
    expect(held).toHaveLength(0);
    const end = first.ended()?.end;
    expect(end?.type).toBe('continueAsNew');
    if (end?.type !== 'continueAsNew') return;
    expect(end.resume.tokens).toHaveLength(1);
    expect(end.resume.tokens[0]).toMatchObject({
      nodeId: 'T',
      memo: { multiInstance: { next: 2, completed: 2 } },
    });
    const second = await startFakeInstance(compiled, { world, resume: end.resume });
    expect(held.map((h) => h.call.request['orderId'])).toEqual(['o3', 'o4']);
    while (held.length > 0) {
      for (const h of held.splice(0)) h.release();
      await second.port.settle();
    }
    expect(second.ended()?.end?.type).toBe('completed');
    expect(second.engine.state.variables['statuses']).toEqual([2, 2, 2, 2, 2]);
  });
});
