import type { ProcessDefinition, ProcessEdge, ProcessNode } from '../model/process-definition.js';
import { SALES_SERVICES } from './sales-service-registry.js';

/** Small fast PRNG (mulberry32): the same seed gives the same definition. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORDER_METHODS = SALES_SERVICES['ameide.sales.v1.OrderService'];

const FORM = {
  type: 'object',
  properties: { approved: { type: 'boolean', title: 'Approve?' }, comment: { type: 'string' } },
  required: ['approved'],
};

/**
 * Builds a valid (lint-clean against the sales registry) ProcessDefinition of about
 * `nodeCount` nodes (never fewer; at most a few more), deterministic in `seed`. A chain of
 * blocks: service, user (some with an escalation timer), script and timer steps, exclusive,
 * inclusive and parallel split/join pairs, and embedded subProcesses. For benchmarks and
 * property tests.
 */
export function generateProcessDefinition(nodeCount: number, seed = 1): ProcessDefinition {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const nodes: ProcessNode[] = [];
  const edges: ProcessEdge[] = [];
  let counter = 0;
  let x = 100;
  const nextId = (prefix: string): string => `${prefix}_${++counter}`;
  const add = <N extends ProcessNode>(node: N): N => {
    nodes.push(node);
    return node;
  };
  const flow = (source: string, target: string, data: ProcessEdge['data'] = {}): void => {
    edges.push({ id: nextId('Flow'), source, target, data });
  };
  const at = (cx: number, y: number, width: number, height: number) => ({
    position: { x: cx, y: y - height / 2 },
    width,
    height,
  });
  const task = (cx: number, y: number, parentId?: string): ProcessNode => {
    const where = { ...at(cx, y, 100, 80), ...(parentId !== undefined ? { parentId } : {}) };
    const kind = random();
    if (kind < 0.5) {
      const method = pick(ORDER_METHODS);
      return add({
        id: nextId('Task'),
        type: 'serviceTask',
        ...where,
        data: {
          name: method,
          binding: {
            service: 'ameide.sales.v1.OrderService',
            method,
            input: '{ orderId: orderId, amount: amount }',
            output: '{ orderId: response.order.id }',
            timeout: 'PT30S',
          },
        },
      });
    }
    if (kind < 0.75) {
      return add({
        id: nextId('Task'),
        type: 'userTask',
        ...where,
        data: {
          name: 'Review order',
          binding: { title: 'Review order', candidateGroups: '["sales"]', form: FORM, due: 'P2D' },
        },
      });
    }
    return add({
      id: nextId('Task'),
      type: 'scriptTask',
      ...where,
      data: { name: 'Compute total', script: 'amount * 1.2', resultVariable: 'total' },
    });
  };

  const start = add({
    id: 'StartEvent_1',
    type: 'startEvent',
    ...at(x, 300, 36, 36),
    data: { name: 'Start' },
  });
  let last = start.id;
  x += 150;
  const step = (id: string): void => {
    flow(last, id);
    last = id;
  };

  while (nodes.length < nodeCount - 1) {
    const block = random();
    if (block < 0.35) {
      const t = task(x, 300);
      step(t.id);
      if (t.type === 'userTask' && random() < 0.4) {
        const timer = add({
          id: nextId('Boundary'),
          type: 'boundaryEvent',
          ...at(x + 30, 340, 36, 36),
          data: {
            attachedTo: t.id,
            interrupting: false,
            event: { type: 'timer', timer: { type: 'duration', value: 'PT4H' } },
          },
        });
        const remind = add({
          id: nextId('Task'),
          type: 'scriptTask',
          ...at(x + 100, 450, 100, 80),
          data: { name: 'Escalate', script: '"escalated"', resultVariable: 'escalation' },
        });
        const end = add({
          id: nextId('End'),
          type: 'endEvent',
          ...at(x + 230, 450, 36, 36),
          data: {},
        });
        flow(timer.id, remind.id);
        flow(remind.id, end.id);
      }
      x += 150;
    } else if (block < 0.45) {
      const wait = add({
        id: nextId('Timer'),
        type: 'intermediateTimerEvent',
        ...at(x, 300, 36, 36),
        data: { name: 'Wait', timer: { type: 'duration', value: 'PT1H' } },
      });
      step(wait.id);
      x += 120;
    } else if (block < 0.85) {
      const kind =
        block < 0.6 ? 'exclusiveGateway' : block < 0.7 ? 'inclusiveGateway' : 'parallelGateway';
      const split = add({ id: nextId('Split'), type: kind, ...at(x, 300, 50, 50), data: {} });
      step(split.id);
      const branches = 2 + Math.floor(random() * 2);
      const join = {
        id: nextId('Join'),
        type: kind,
        ...at(x + 300, 300, 50, 50),
        data: {},
      } as ProcessNode;
      for (let b = 0; b < branches; b++) {
        const t = task(x + 150, 300 + (b - (branches - 1) / 2) * 120);
        const isDefault = kind !== 'parallelGateway' && b === branches - 1;
        const data: ProcessEdge['data'] =
          kind === 'parallelGateway'
            ? {}
            : isDefault
              ? { isDefault: true }
              : { condition: `amount > ${(b + 1) * 100}` };
        flow(split.id, t.id, data);
        flow(t.id, join.id);
      }
      add(join);
      last = join.id;
      x += 450;
    } else {
      const sub = add({
        id: nextId('SubProcess'),
        type: 'subProcess',
        ...at(x, 300, 400, 200),
        data: { name: 'Handle order' },
      });
      step(sub.id);
      const s = add({
        id: nextId('Start'),
        type: 'startEvent',
        parentId: sub.id,
        ...at(40, 100, 36, 36),
        data: {},
      });
      const t = task(150, 100, sub.id);
      const e = add({
        id: nextId('End'),
        type: 'endEvent',
        parentId: sub.id,
        ...at(300, 100, 36, 36),
        data: {},
      });
      flow(s.id, t.id);
      flow(t.id, e.id);
      x += 500;
    }
  }
  const end = add({
    id: 'EndEvent_1',
    type: 'endEvent',
    ...at(x, 300, 36, 36),
    data: { name: 'Done' },
  });
  step(end.id);
  return {
    schemaVersion: 1,
    id: `generated_${nodeCount}_${seed}`,
    name: `Generated process (${nodeCount} nodes, seed ${seed})`,
    variables: [
      { name: 'orderId', type: 'string', required: true },
      { name: 'amount', type: 'number', required: true },
      { name: 'total', type: 'number' },
      { name: 'escalation', type: 'string' },
    ],
    lanes: [],
    nodes,
    edges,
  };
}
