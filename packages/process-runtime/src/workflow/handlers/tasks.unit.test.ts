import { describe, expect, it } from 'vitest';
import { compileExample } from '../../testing/example-plans.js';
import { refOf, startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales } from '../../testing/fake-sales.js';
import type { ProcessInput } from '../types.js';

// The engine on a fake port: service, user, agent and script tasks, embedded subprocesses and
// call activities, with the examples' plans (examples.int.test.ts runs the same on Temporal).

const o2c = {
  customerId: 'c-1',
  currency: 'EUR',
  paymentReference: 'PAY-1',
  quantity: 2,
  sku: 'S',
  unitPriceMinor: 1250,
};

describe('tasks', () => {
  it('order-to-cash: service tasks in sequence as the starting user, then the approval, then the rest', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('order-to-cash'), {
      world: sales,
      variables: o2c,
      workflowId: 'acme:i-1',
    });
    expect(sales.methods()).toEqual(['CreateOrder', 'AddOrderLine', 'ConfirmOrder']);
    expect(sales.calls.every((c) => c.actor.userId === 'alice')).toBe(true);
    const keys = sales.calls.map((c) => c.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => k.startsWith('acme:i-1/Task_'))).toBe(true);

    const [task] = i.engine.state.openTasks();
    expect(task).toMatchObject({ nodeId: 'Task_ApproveOrder', candidateGroups: ['sales'] });
    expect(i.engine.tokenViews()).toEqual([
      expect.objectContaining({
        nodeId: 'Task_ApproveOrder',
        scope: 'root',
        waitingFor: 'userTask',
      }),
    ]);
    expect(i.port.attributes.taskCandidates).toEqual(['group:sales']);
    expect(i.engine.quiescent()).toBe(true);

    await i.complete('Task_ApproveOrder', { approved: true });
    expect(sales.methods().slice(3)).toEqual(['RecordPayment', 'MarkOrderFulfilled']);
    expect(i.ended()?.end).toMatchObject({
      type: 'completed',
      result: { status: 'COMPLETED', endEvent: 'EndEvent_OrderFulfilled', terminated: false },
    });
    expect(i.engine.state.variables).toMatchObject({ amountMinor: 2500, approved: true });
    expect(i.completed()).toEqual([
      'Task_CreateOrder',
      'Task_AddOrderLine',
      'Task_ConfirmOrder',
      'Task_ApproveOrder',
      'Task_RecordPayment',
      'Task_MarkFulfilled',
      'EndEvent_OrderFulfilled',
    ]);
    const audit = i.engine.state.audit;
    expect(audit.find((a) => a.event === 'taskCompleted')?.by).toBe('alice');
    expect(audit.map((a) => a.seq)).toEqual(audit.map((_, n) => n + 1));
    expect(i.engine.state.status).toBe('COMPLETED');
    expect(i.port.attributes).toMatchObject({ status: 'COMPLETED', taskCandidates: [] });
  });

  it('a user task maps the submission through its output and finishes on the branch it chose', async () => {
    const sales = createFakeSales();
    const i = await startFakeInstance(await compileExample('lead-to-order'), {
      world: sales,
      variables: { currency: 'EUR', leadEmail: 'a@b.c', leadName: 'Ann' },
    });
    const task = i.engine.state.openTasks()[0]!;
    expect(task.nodeId).toBe('Task_QualifyLead');
    expect(i.engine.openTask(task.taskId)).toEqual(task);
    await i.complete('Task_QualifyLead', { qualified: false, ignored: 'x' });
    expect(i.engine.state.variables['qualified']).toBe(false);
    expect(i.engine.state.audit.at(-1)).toMatchObject({
      event: 'finished',
      nodeId: 'EndEvent_LeadRejected',
    });
    expect(i.engine.state.openTask(task.taskId)).toBeUndefined();
    expect(sales.methods()).toEqual(['CreateCustomer']);
  });

  it('an agent task passes its mapped input and maps the result (timer-start process runs at once)', async () => {
    const sales = createFakeSales();
    sales.seedOrder(700);
    const agents: string[] = [];
    const i = await startFakeInstance(await compileExample('daily-order-review'), {
      world: {
        callService: (c) => sales.callService(c),
        invokeAgent: (req) => {
          agents.push(`${req.agent}:${req.nodeId}:${req.riskTier}`);
          return `${req.agent} did ${req.nodeId}`;
        },
      },
    });
    await i.complete('Task_Review');
    expect(agents).toEqual(['sales-assistant:Task_Summarize:low']);
    expect(i.engine.state.variables['summary']).toBe('sales-assistant did Task_Summarize');
    expect((i.engine.state.variables['confirmedOrders'] as unknown[]).length).toBe(1);
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('an embedded subprocess runs in a scope of its own, once per loop round', async () => {
    const sales = createFakeSales();
    let hold: (() => void) | undefined;
    const lines = [1, 2, 3].map((n) => ({ sku: `S${n}`, quantity: n, unitPriceMinor: 100 }));
    const i = await startFakeInstance(await compileExample('order-lines-subprocess'), {
      world: {
        callService: (c) =>
          c.rpc.endsWith('/AddOrderLine') && hold === undefined
            ? new Promise((resolve) => (hold = () => resolve(sales.callService(c))))
            : sales.callService(c),
      },
      variables: { customerId: 'c', currency: 'EUR', remainingLines: lines },
    });
    // The first AddOrderLine is in flight: its token runs in the subprocess's scope run.
    const tokens = i.engine.tokenViews();
    expect(tokens).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          nodeId: 'SubProcess_AddLines',
          scope: 'root',
          waitingFor: 'child',
        }),
        expect.objectContaining({
          scope: expect.stringMatching(/^root\/SubProcess_AddLines#\d+$/) as string,
          waitingFor: 'service',
        }),
      ]),
    );
    hold!();
    await i.port.settle();
    expect(sales.methods()).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'AddOrderLine',
      'AddOrderLine',
      'ConfirmOrder',
    ]);
    expect(i.engine.state.variables['remainingLines']).toEqual([]);
    expect(i.completed().filter((n) => n === 'Task_AddLine')).toHaveLength(3);
    expect(i.completed().filter((n) => n === 'EndEvent_Lines')).toHaveLength(1);
    // The subprocess's boundary timer went with it.
    expect(i.port.nextTimer()).toBeUndefined();
    expect(i.completed()).toEqual(
      expect.arrayContaining(['SubProcess_AddLines', 'EndEvent_Confirmed']),
    );
    expect(i.ended()?.end?.type).toBe('completed');
  });

  it('a call activity resolves its callee, runs it as a child pinned to the answer, and maps the result', async () => {
    const sales = createFakeSales();
    const creditCheck = await compileExample('credit-check');
    const children: Array<{ workflowId: string; input: ProcessInput }> = [];
    const resolved: unknown[] = [];
    const i = await startFakeInstance(await compileExample('order-with-credit-check'), {
      workflowId: 'acme:parent',
      businessKey: 'bk-7',
      world: {
        callService: (c) => sales.callService(c),
        resolveDefinition: (tenantId, name, version) => {
          resolved.push([tenantId, name, version]);
          return refOf(creditCheck);
        },
        // The child is the engine too: credit-check on its own fake port, run to its end.
        executeChild: async (workflowId, input) => {
          children.push({ workflowId, input });
          const child = await startFakeInstance(creditCheck, {
            world: sales,
            variables: { ...input.variables },
          });
          const end = await child.end;
          if (end.type !== 'completed') throw new Error(`child ended ${end.type}`);
          return end.result;
        },
      },
      variables: { customerId: 'c', currency: 'EUR', quantity: 1, sku: 'S', unitPriceMinor: 100 },
    });
    expect(resolved).toEqual([['acme', 'credit-check', 'latest']]);
    expect(children).toHaveLength(1);
    expect(children[0]!.workflowId).toMatch(/^acme:parent:Call_CreditCheck:\d+$/);
    expect(children[0]!.input).toMatchObject({
      definition: refOf(creditCheck),
      businessKey: 'bk-7',
      actor: { tenantId: 'acme', userId: 'alice' },
    });
    expect(i.engine.state.variables['creditApproved']).toBe(true);
    expect(sales.methods()).toEqual([
      'CreateOrder',
      'AddOrderLine',
      'GetCustomer',
      'CheckCredit',
      'ConfirmOrder',
    ]);
    expect(i.completed()).toEqual(
      expect.arrayContaining(['Call_CreditCheck', 'Task_Confirm', 'EndEvent_Confirmed']),
    );
  });
});
