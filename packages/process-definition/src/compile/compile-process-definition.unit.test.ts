import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileProcessDefinition,
  importBpmn,
  MAX_PLAN_BYTES,
  type ExecutionPlan,
  type PlanNode,
  type ProcessDefinition,
} from '@ameide/process-definition';
import {
  generateProcessDefinition,
  salesServiceRegistry,
} from '@ameide/process-definition/testing';

const options = { services: salesServiceRegistry };

async function example(name: string): Promise<ProcessDefinition> {
  const xml = readFileSync(
    new URL(`../../../../examples/processes/${name}.bpmn`, import.meta.url),
    'utf8',
  );
  const result = await importBpmn(xml);
  if (!result.ok) throw new Error(`${name} did not import`);
  return result.definition;
}

async function plan(name: string): Promise<ExecutionPlan> {
  const result = compileProcessDefinition(await example(name), options);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return result.plan;
}

function node<T extends PlanNode['type']>(
  p: ExecutionPlan,
  id: string,
  type: T,
): Extract<PlanNode, { type: T }> {
  const n = p.nodes[id];
  expect(n?.type).toBe(type);
  return n as Extract<PlanNode, { type: T }>;
}

describe('compileProcessDefinition', () => {
  it('compiles order-to-cash into explicit transitions and resolved bindings', async () => {
    const p = await plan('order-to-cash');
    expect(p.planVersion).toBe(1);
    expect(p.scopes['order-to-cash']).toMatchObject({
      start: 'StartEvent_OrderReceived',
      eventStarts: [],
    });
    const create = node(p, 'Task_CreateOrder', 'serviceTask');
    expect(create.outgoing).toEqual([{ edge: 'Flow_2', target: 'Task_AddOrderLine' }]);
    expect(create.call).toEqual({
      service: 'ameide.sales.v1.OrderService',
      method: 'CreateOrder',
      rpc: 'ameide.sales.v1.OrderService/CreateOrder',
      input: { feel: '{ customerId: customerId, currency: currency }' },
      output: { feel: '{ orderId: response.order.orderId }' },
      retry: { maxAttempts: 5, initialIntervalMs: 1000, backoff: 2 },
      timeoutMs: 30_000,
    });
    const approve = node(p, 'Task_ApproveOrder', 'userTask');
    expect(approve.task).toMatchObject({
      title: 'Approve order',
      candidateGroups: { feel: '["sales"]' },
      due: { type: 'duration', source: 'P1D', ms: 86_400_000 },
    });
    expect(Object.keys(p.nodes)).toEqual([...Object.keys(p.nodes)].sort());
  });

  it('gives parallel joins their arity and lists boundary events on their activity', async () => {
    const fulfil = await plan('parallel-fulfilment');
    expect(node(fulfil, 'Gateway_Join', 'parallelGateway').joinArity).toBe(3);
    expect(node(fulfil, 'Gateway_Split', 'parallelGateway').outgoing.map((t) => t.target)).toEqual([
      'Task_Invoice',
      'Task_Pack',
      'Task_Pick',
    ]);
    const escalation = await plan('order-approval-escalation');
    expect(node(escalation, 'Task_Approve', 'userTask').boundaryEvents).toEqual([
      {
        id: 'Boundary_Expired',
        interrupting: true,
        trigger: {
          type: 'timer',
          timer: expect.objectContaining({ source: 'P2D', ms: 172_800_000 }) as unknown,
        },
      },
      {
        id: 'Boundary_Remind',
        interrupting: false,
        trigger: {
          type: 'timer',
          timer: expect.objectContaining({ source: 'PT4H', ms: 14_400_000 }) as unknown,
        },
      },
    ]);
  });

  it('keeps exclusive conditions in definition order with the default flow last', async () => {
    const p = await plan('lead-to-order');
    expect(node(p, 'Gateway_Qualified', 'exclusiveGateway').outgoing).toEqual([
      {
        edge: 'Flow_Qualified',
        target: 'Task_CreateOrder',
        condition: { feel: 'qualified = true' },
      },
      { edge: 'Flow_Rejected', target: 'EndEvent_LeadRejected', isDefault: true },
    ]);
  });

  it('gives a subProcess its own scope with its own start', async () => {
    const p = await plan('order-lines-subprocess');
    expect(node(p, 'SubProcess_AddLines', 'subProcess').childScope).toBe('SubProcess_AddLines');
    expect(p.scopes.SubProcess_AddLines).toEqual({
      id: 'SubProcess_AddLines',
      parent: 'order-lines-subprocess',
      start: 'StartEvent_Lines',
      eventStarts: [],
      nodes: [
        'EndEvent_Lines',
        'Gateway_MoreLines',
        'Gateway_NextLine',
        'StartEvent_Lines',
        'Task_AddLine',
      ],
    });
    expect(node(p, 'Task_AddLine', 'serviceTask').scope).toBe('SubProcess_AddLines');
  });

  it('compiles compensation, messages, call activities and timer cycles', async () => {
    const saga = await plan('payment-saga');
    expect(node(saga, 'Task_CreateOrder', 'serviceTask').call.compensation).toEqual({
      method: 'CancelOrder',
      rpc: 'ameide.sales.v1.OrderService/CancelOrder',
      input: { feel: '{ orderId: orderId, reason: "payment failed" }' },
    });
    expect(node(saga, 'Task_AddOrderLine', 'serviceTask').call.compensation).toBeUndefined();
    expect(node(saga, 'EndEvent_Compensate', 'endEvent').result).toEqual({ type: 'compensate' });
    const wait = await plan('payment-wait');
    expect(wait.messages).toEqual(['PaymentReceived']);
    expect(
      node(wait, 'Event_PaymentReceived', 'intermediateMessageEvent').message.correlationKey,
    ).toEqual({ feel: 'orderId' });
    const call = await plan('order-with-credit-check');
    expect(node(call, 'Call_CreditCheck', 'callActivity').call).toMatchObject({
      definition: 'credit-check',
      version: 'latest',
    });
    const daily = await plan('daily-order-review');
    expect(daily.scopes['daily-order-review']).toMatchObject({ eventStarts: ['StartEvent_Daily'] });
    expect(daily.scopes['daily-order-review']!.start).toBeUndefined();
    expect(node(daily, 'StartEvent_Daily', 'startEvent').trigger).toMatchObject({
      type: 'timer',
      timer: {
        type: 'cycle',
        repetitions: null,
        startEpochMs: Date.UTC(2026, 0, 5, 7),
        intervalMs: 86_400_000,
      },
    });
  });

  it('hashes the canonical JSON with SHA-256', async () => {
    const result = compileProcessDefinition(await example('payment-saga'), options);
    if (!result.ok) throw new Error('did not compile');
    expect(result.hash).toBe(createHash('sha256').update(result.json).digest('hex'));
    expect(JSON.parse(result.json)).toEqual(result.plan);
  });

  it('is deterministic and ignores layout, lanes, documentation and key order', async () => {
    const def = await example('credit-check');
    const a = compileProcessDefinition(def, options);
    const moved: ProcessDefinition = {
      ...def,
      documentation: 'changed',
      lanes: [{ id: 'L', nodeIds: [], position: { x: 0, y: 0 }, width: 10, height: 10 }],
      nodes: def.nodes
        .map((n) => ({ ...n, position: { x: n.position.x + 7, y: n.position.y - 3 } }))
        .reverse(),
      edges: def.edges.map((e) => ({ ...e, data: { ...e.data, waypoints: [] } })),
    };
    const shuffledKeys = JSON.parse(
      JSON.stringify(moved, (_k, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).reverse())
          : v,
      ),
    ) as unknown;
    const b = compileProcessDefinition(shuffledKeys, options);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.json).toBe(a.json);
  });

  it('changes the hash when behaviour changes', async () => {
    const def = await example('credit-check');
    const changed = {
      ...def,
      edges: def.edges.map((e) =>
        e.id === 'Flow_Approved' ? { ...e, data: { ...e.data, condition: 'creditApproved' } } : e,
      ),
    };
    const a = compileProcessDefinition(def, options);
    const b = compileProcessDefinition(changed, options);
    expect(a.ok && b.ok && a.hash !== b.hash).toBe(true);
  });

  it('refuses to compile when lint reports errors, returning the diagnostics', () => {
    const def = generateProcessDefinition(20, 3);
    const broken = { ...def, edges: def.edges.slice(1) };
    const result = compileProcessDefinition(broken, options);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.some((d) => d.severity === 'error' && d.code === 'AM006')).toBe(true);
  });

  it('refuses plans over 1 MiB with a clear message', () => {
    const big = generateProcessDefinition(4000, 2);
    const result = compileProcessDefinition(big, options);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.at(-1)).toMatchObject({ code: 'AM200', elementId: big.id });
    expect(result.diagnostics.at(-1)!.message).toMatch(
      new RegExp(`over the ${MAX_PLAN_BYTES}-byte limit`),
    );
    expect(compileProcessDefinition(big, { ...options, maxPlanBytes: 8 * MAX_PLAN_BYTES }).ok).toBe(
      true,
    );
  });
});
