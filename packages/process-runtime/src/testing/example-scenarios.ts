import type { Caller, InstanceDetails } from '../client/process-client.js';
import type { MessageReceipt } from '../client/start-triggers.js';
import { workflowIdOf } from '../client/instance-id.js';
import { compileDecisionExample, compileExample, retime } from './example-plans.js';
import { eventually, type RuntimeFixture } from './runtime-fixture.js';

/**
 * The example paths `examples.int.test.ts` drives, without its assertions: the recording script
 * (`scripts/record-histories.ts`) runs them and saves each instance's history for the replay test.
 */
export interface ExampleScenario {
  /** `examples/processes/<example>.bpmn`. */
  readonly example: string;
  /** Distinguishes paths of one example (`''` for an example with one path). */
  readonly path: string;
  /** Drives the instances to their end; answers the workflow ids to record, by label suffix. */
  run(
    rt: RuntimeFixture,
  ): Promise<ReadonlyArray<{ readonly suffix: string; readonly workflowId: string }>>;
}

/** Publishes the example plans the way the example test does (same versions, same timers). */
export async function publishExamples(rt: RuntimeFixture): Promise<void> {
  for (const name of [
    'order-to-cash',
    'credit-check',
    'daily-order-review',
    'lead-to-order',
    'order-lines-subprocess',
    'order-notifications',
    'order-with-credit-check',
    'parallel-fulfilment',
    'payment-saga',
    'order-shipment',
  ])
    rt.publish(name, 1, await compileExample(name));
  const escalation = await compileExample('order-approval-escalation');
  rt.publish('order-approval-escalation', 1, retime(escalation, { PT4H: 300, P2D: 2500 }));
  rt.publish('order-approval-escalation', 2, retime(escalation, { PT4H: 600_000, P2D: 900_000 }));
  const wait = await compileExample('payment-wait');
  rt.publish('payment-wait', 1, wait);
  rt.publish('payment-wait', 2, retime(wait, { P7D: 1000 }));
  rt.publishDecision('credit-risk', 1, await compileDecisionExample('credit-risk'));
  rt.publish('credit-application', 1, await compileExample('credit-application'));
  rt.publish('order-batch', 1, await compileExample('order-batch'));
  rt.publish('order-fulfilment-events', 1, await orderFulfilmentEvents());
  rt.publish('order-review-escalation', 1, await compileExample('order-review-escalation'));
  rt.publish('order-risk-watch', 1, await compileExample('order-risk-watch'));
  rt.publish('order-review-links', 1, await compileExample('order-review-links'));
  for (const name of ['order-recall-watch', 'product-recall', 'carrier-available'])
    rt.publish(name, 1, await compileExample(name));
  rt.publish('order-intake', 1, await compileExample('order-intake'));
  rt.publish('credit-limit-check', 1, await compileExample('credit-limit-check'));
  rt.publish('order-credit-limit', 1, await compileExample('order-credit-limit'));
  // Only these tenants start a recall notice on ProductRecall: the other signal scenarios'
  // throwers reach their watchers alone.
  const notice = await compileExample('recall-notice');
  for (const tenant of RECALL_NOTICE_TENANTS) rt.publish('recall-notice', 1, notice, tenant);
  const dispatch = await compileExample('shipment-dispatch');
  rt.publish('shipment-dispatch', 1, dispatch);
  // Version 2 gives up on a carrier after 1 s instead of 2 days.
  rt.publish('shipment-dispatch', 2, retime(dispatch, { P2D: 1000 }));
}

/**
 * Runs order-credit-limit for an order over the limit (`over`: the called credit-limit-check
 * escalates, the call activity's boundary requests an approval) or within it. Answers the
 * instance and the instance it called.
 */
export async function runCreditLimit(
  rt: RuntimeFixture,
  tenant: string,
  over: boolean,
): Promise<{ id: string; child: string }> {
  const c = rt.caller(tenant, 'sam', ['sales']);
  const id = await start(rt, c, 'order-credit-limit', { amountMinor: over ? 250_000 : 50_000 });
  await finished(rt, c, id);
  const { instances } = await eventually(
    () => rt.processes.list(c, { definition: 'credit-limit-check' }),
    (r) => r.instances.length > 0,
  );
  return { id, child: instances[0]!.instanceId };
}

/** The tenants recall-notice is published in (a signal start event starts it there only). */
export const RECALL_NOTICE_TENANTS = ['r-notice-broadcast', 'r-notice-thrown'] as const;

/**
 * Sends an OrderReceived message that starts an order-intake instance (`priority`: an order
 * of 2,500.00, else 50.00), twice with the same message id as a resending shop would: answers
 * both answers.
 */
export async function runOrderIntake(
  rt: RuntimeFixture,
  tenant: string,
  priority: boolean,
): Promise<{ first: MessageReceipt; again: MessageReceipt; orderRef: string }> {
  const c = rt.caller(tenant, 'shop', []);
  const orderRef = `web-${priority ? 'large' : 'small'}`;
  const message = {
    name: 'OrderReceived',
    correlationKey: orderRef,
    payload: { orderRef, customer: 'c-42', amountMinor: priority ? 250_000 : 5_000 },
    messageId: `shop-msg-${orderRef}`,
  };
  const first = await rt.processes.correlateMessage(c, message);
  const again = await rt.processes.correlateMessage(c, message);
  return { first, again, orderRef };
}

/**
 * Starts recall-notice in `tenant` by the ProductRecall signal: `broadcast` sends it through
 * the client with a product, `thrown` runs product-recall. Answers the notice instance (and the
 * thrower).
 */
export async function runRecallNotice(
  rt: RuntimeFixture,
  tenant: (typeof RECALL_NOTICE_TENANTS)[number],
  by: 'broadcast' | 'thrown',
): Promise<{ id: string; thrower?: string }> {
  const c = rt.caller(tenant, 'wes', ['warehouse']);
  if (by === 'broadcast') {
    const { startedInstanceIds } = await rt.processes.broadcast(c, {
      name: 'ProductRecall',
      payload: { recalledProduct: 'kettle K2' },
    });
    if (startedInstanceIds.length !== 1)
      throw new Error(`the broadcast started ${startedInstanceIds.length} instances, not 1`);
    return { id: startedInstanceIds[0]! };
  }
  const thrower = await throwSignalBy(rt, tenant, 'product-recall');
  const { instances } = await eventually(
    () => rt.processes.list(c, { definition: 'recall-notice' }),
    (r) => r.instances.length > 0,
  );
  return { id: instances[0]!.instanceId, thrower };
}

/**
 * Drives shipment-dispatch to the event that wins its race: `shipped` (the CarrierAvailable
 * signal, thrown by carrier-available), `cancelled` (a ShipmentCancelled message for the
 * order) or `no-carrier` (version 2's 1 s deadline). Returns the thrower's instance too.
 */
export async function runShipmentDispatch(
  rt: RuntimeFixture,
  tenant: string,
  path: 'shipped' | 'cancelled' | 'no-carrier',
): Promise<{ id: string; orderId: string; thrower?: string }> {
  const c = rt.caller(tenant, 'wes', ['warehouse']);
  const orderId = rt.sales.seedOrder(tenant, 300, 1);
  if (path === 'no-carrier')
    return { id: await start(rt, c, 'shipment-dispatch', { orderId }, 2), orderId };
  const id = await start(rt, c, 'shipment-dispatch', { orderId }, 1);
  await armed(rt, tenant, id, 'signal:CarrierAvailable:*');
  if (path === 'cancelled') {
    await correlate(rt, c, 'ShipmentCancelled', orderId);
    return { id, orderId };
  }
  return { id, orderId, thrower: await throwSignalBy(rt, tenant, 'carrier-available') };
}

/** Starts an order-recall-watch instance and waits until its packing task is open (armed). */
export async function startRecallWatch(
  rt: RuntimeFixture,
  tenant: string,
): Promise<{ id: string; orderId: string }> {
  const c = rt.caller(tenant, 'wes', ['warehouse']);
  const orderId = rt.sales.seedOrder(tenant, 600, 1);
  const id = await start(rt, c, 'order-recall-watch', { orderId });
  await armed(rt, tenant, id, 'signal:ProductRecall:*');
  return { id, orderId };
}

/** Waits until instance `id` of `tenant` is visible as waiting for `subscription`. */
export async function armed(
  rt: RuntimeFixture,
  tenant: string,
  id: string,
  subscription: string,
): Promise<void> {
  await eventually(
    () => rt.temporal.workflow.getHandle(workflowIdOf(tenant, id)).describe(),
    (d) =>
      (d.searchAttributes['AmeideMessages'] as string[] | undefined)?.includes(subscription) ===
      true,
  );
}

/** Throws a signal in `tenant` by running `example` (product-recall, carrier-available). */
export async function throwSignalBy(
  rt: RuntimeFixture,
  tenant: string,
  example: 'product-recall' | 'carrier-available',
): Promise<string> {
  const c = rt.caller(tenant, 'wes', ['warehouse']);
  const id = await start(rt, c, example, {});
  await finished(rt, c, id);
  return id;
}

/** Drives order-review-links: the reviewer approves (through the link) or rejects. */
export async function runLinkReview(
  rt: RuntimeFixture,
  tenant: string,
  approved: boolean,
): Promise<{ id: string; orderId: string }> {
  const c = rt.caller(tenant, 'sam', ['sales']);
  const orderId = rt.sales.seedOrder(tenant, 200, 1);
  const id = await start(rt, c, 'order-review-links', { orderId });
  await complete(rt, c, id, 'Task_Review', { approved });
  return { id, orderId };
}

/**
 * Drives order-risk-watch: `shipped` (a low risk score, the review, then the payment) or
 * `high-risk` (a risk score of 90 while the review is open).
 */
export async function runRiskWatch(
  rt: RuntimeFixture,
  tenant: string,
  path: 'shipped' | 'high-risk',
): Promise<{ id: string; orderId: string }> {
  const c = rt.caller(tenant, 'sam', ['sales']);
  const orderId = rt.sales.seedOrder(tenant, 400, 1);
  const id = await start(rt, c, 'order-risk-watch', { orderId });
  if (path === 'high-risk') {
    await correlate(rt, c, 'RiskScoreUpdated', orderId, { score: 90 });
    return { id, orderId };
  }
  await correlate(rt, c, 'RiskScoreUpdated', orderId, { score: 20 });
  await complete(rt, c, id, 'Task_Review', {});
  await eventually(
    () => rt.processes.get(c, id),
    (d) => d.state?.tokens.some((t) => t.nodeId === 'Catch_Paid') === true,
  );
  await correlate(rt, c, 'PaymentReported', orderId);
  return { id, orderId };
}

/** Drives order-review-escalation: the clerk's `decision` on a fresh draft order. */
export async function runOrderReview(
  rt: RuntimeFixture,
  tenant: string,
  decision: 'approve' | 'escalate' | 'reject',
): Promise<{ id: string; orderId: string }> {
  const c = rt.caller(tenant, 'sam', ['sales']);
  const orderId = rt.sales.seedOrder(tenant, 300, 1);
  const id = await start(rt, c, 'order-review-escalation', { orderId });
  await complete(rt, c, id, 'Task_Check', { decision });
  return { id, orderId };
}

/** order-fulfilment-events with its 4-hour reminder cycle shortened to 200 ms (three firings). */
export async function orderFulfilmentEvents() {
  return retime(await compileExample('order-fulfilment-events'), { 'R3/PT4H': 200 });
}

/**
 * Drives order-fulfilment-events to the end `path` names: `fulfilled` (three reminders and two
 * address changes while packing, then packed in stock), `cancelled` (a cancellation request while
 * packing) or `out-of-stock` (packing reports a missing item). Answers the instance and order ids.
 */
export async function runOrderFulfilment(
  rt: RuntimeFixture,
  tenant: string,
  path: 'fulfilled' | 'cancelled' | 'out-of-stock',
): Promise<{ id: string; orderId: string }> {
  const c = rt.caller(tenant, 'wes', ['warehouse']);
  const orderId = rt.sales.seedOrder(tenant, 700, 1);
  const id = await start(rt, c, 'order-fulfilment-events', { orderId });
  if (path === 'cancelled') {
    await correlate(rt, c, 'OrderCancellationRequested', orderId);
    return { id, orderId };
  }
  if (path === 'fulfilled') {
    await eventually(
      () => rt.processes.get(c, id),
      (d) => d.state?.variables['reminders'] === 3,
    );
    for (let i = 0; i < 2; i++) await correlate(rt, c, 'DeliveryAddressChanged', orderId);
  }
  await complete(rt, c, id, 'Task_Pack', { outOfStock: path === 'out-of-stock' });
  return { id, orderId };
}

/** Variables of order-batch: `lines` order lines (one order each), asked `approvers`. */
export function orderBatchVariables(
  lines: number,
  approvers: readonly string[] = ['ann', 'bob', 'cid'],
): Record<string, unknown> {
  return {
    customerId: 'c-1',
    currency: 'EUR',
    lines: Array.from({ length: lines }, (_, i) => ({
      sku: `S${i + 1}`,
      quantity: 1 + (i % 3),
      unitPriceMinor: 100 * (i + 1),
    })),
    approvers: [...approvers],
  };
}

/**
 * Completes the order-batch approval tasks of `id` in `answers` order (approver → approved), each
 * as its approver of `tenant`, waiting for the task to be open.
 */
export async function answerApprovals(
  rt: RuntimeFixture,
  tenant: string,
  id: string,
  answers: ReadonlyArray<readonly [approver: string, approved: boolean]>,
  timeoutMs?: number,
): Promise<void> {
  for (const [approver, approved] of answers) {
    const caller = rt.caller(tenant, approver);
    const tasks = await eventually(
      () => rt.processes.listUserTasks(caller, { instanceId: id }),
      (ts) => ts.some((t) => t.nodeId === 'Task_Approve'),
      timeoutMs,
    );
    const task = tasks.find((t) => t.nodeId === 'Task_Approve')!;
    await rt.processes.completeUserTask(caller, id, task.taskId, { approved });
  }
}

/** Inputs of credit-application that reach each of its end events (see credit-risk.dmn). */
export const CREDIT_APPLICATIONS = {
  referred: { creditScore: 550, amount: 60000, hasOverdueInvoices: true },
  conditions: { creditScore: 650, amount: 60000 },
  approved: { creditScore: 750, amount: 1000, hasOverdueInvoices: false },
} as const;

async function start(
  rt: RuntimeFixture,
  caller: Caller,
  name: string,
  variables: Record<string, unknown>,
  version: number | 'latest' = 'latest',
): Promise<string> {
  return (await rt.processes.start(caller, { definition: { name }, version, variables }))
    .instanceId;
}

function finished(rt: RuntimeFixture, caller: Caller, id: string): Promise<InstanceDetails> {
  return eventually(
    () => rt.processes.get(caller, id),
    (d) => d.status !== 'RUNNING' && d.state !== undefined && d.state.status !== 'RUNNING',
  );
}

async function complete(
  rt: RuntimeFixture,
  caller: Caller,
  id: string,
  nodeId: string,
  data: Record<string, unknown>,
): Promise<void> {
  const tasks = await eventually(
    () => rt.processes.listUserTasks(caller, { instanceId: id }),
    (ts) => ts.some((t) => t.nodeId === nodeId),
  );
  await rt.processes.completeUserTask(
    caller,
    id,
    tasks.find((t) => t.nodeId === nodeId)!.taskId,
    data,
  );
}

/** Runs `ids` to their end and names their workflow ids. */
/** The payment order-shipment's receive task takes (an order seeded at 800). */
export const orderShipmentPayment = {
  paymentReference: 'PAY-S1',
  currency: 'EUR',
  amountMinor: 800,
};

/** Correlates a message, retrying until an instance waits for it (subscriptions are eventual). */
export async function correlate(
  rt: RuntimeFixture,
  caller: Caller,
  name: string,
  correlationKey: string,
  payload: Record<string, unknown> = {},
): Promise<readonly string[]> {
  const { instanceIds } = await eventually(
    () => rt.processes.correlateMessage(caller, { name, correlationKey, payload }),
    () => true,
  );
  return instanceIds;
}

async function done(
  rt: RuntimeFixture,
  caller: Caller,
  ids: ReadonlyArray<readonly [suffix: string, instanceId: string]>,
): Promise<Array<{ suffix: string; workflowId: string }>> {
  const out: Array<{ suffix: string; workflowId: string }> = [];
  for (const [suffix, id] of ids) {
    await finished(rt, caller, id);
    out.push({ suffix, workflowId: workflowIdOf(caller.tenantId, id) });
  }
  return out;
}

const o2cVars = {
  customerId: 'c-1',
  currency: 'EUR',
  paymentReference: 'PAY-1',
  quantity: 2,
  sku: 'S',
  unitPriceMinor: 1250,
};
const sagaVars = {
  currency: 'EUR',
  customerId: 'c',
  paymentReference: 'DECLINE-1',
  quantity: 1,
  sku: 'S',
  unitPriceMinor: 400,
};

export const EXAMPLE_SCENARIOS: readonly ExampleScenario[] = [
  {
    example: 'order-to-cash',
    path: '',
    async run(rt) {
      const c = rt.caller('r-o2c', 'alice', ['sales']);
      const id = await start(rt, c, 'order-to-cash', o2cVars);
      await complete(rt, c, id, 'Task_ApproveOrder', { approved: true });
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'credit-check',
    path: 'approved',
    async run(rt) {
      const c = rt.caller('r-credit', 'fin', ['finance']);
      return done(rt, c, [
        [
          '',
          await start(rt, c, 'credit-check', {
            customerId: 'c-9',
            currency: 'EUR',
            amountMinor: 500,
          }),
        ],
      ]);
    },
  },
  {
    example: 'credit-check',
    path: 'reviewed',
    async run(rt) {
      const c = rt.caller('r-credit', 'fin', ['finance']);
      const id = await start(rt, c, 'credit-check', {
        customerId: 'c-9',
        currency: 'EUR',
        amountMinor: 500_000,
      });
      await complete(rt, c, id, 'Task_ReviewCredit', { approved: true });
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'daily-order-review',
    path: '',
    async run(rt) {
      const c = rt.caller('r-daily', 'sam', ['sales']);
      rt.sales.seedOrder('r-daily', 700);
      const id = await start(rt, c, 'daily-order-review', {});
      await complete(rt, c, id, 'Task_Review', {});
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'lead-to-order',
    path: 'rejected',
    async run(rt) {
      const c = rt.caller('r-lead', 'sam', ['sales']);
      const id = await start(rt, c, 'lead-to-order', {
        currency: 'EUR',
        leadEmail: 'a@b.c',
        leadName: 'Ann',
      });
      await complete(rt, c, id, 'Task_QualifyLead', { qualified: false });
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-approval-escalation',
    path: 'expired',
    async run(rt) {
      const c = rt.caller('r-esc', 'sam', ['sales']);
      const orderId = rt.sales.seedOrder('r-esc', 900, 1);
      return done(rt, c, [['', await start(rt, c, 'order-approval-escalation', { orderId }, 1)]]);
    },
  },
  {
    example: 'order-approval-escalation',
    path: 'approved',
    async run(rt) {
      const c = rt.caller('r-esc2', 'sam', ['sales']);
      const orderId = rt.sales.seedOrder('r-esc2', 900, 1);
      const id = await start(rt, c, 'order-approval-escalation', { orderId }, 2);
      await complete(rt, c, id, 'Task_Approve', { approved: true, comment: 'ok' });
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-lines-subprocess',
    path: '',
    async run(rt) {
      const c = rt.caller('r-sub');
      const lines = [1, 2, 3].map((i) => ({ sku: `S${i}`, quantity: i, unitPriceMinor: 100 }));
      return done(rt, c, [
        [
          '',
          await start(rt, c, 'order-lines-subprocess', {
            customerId: 'c',
            currency: 'EUR',
            remainingLines: lines,
          }),
        ],
      ]);
    },
  },
  {
    example: 'order-notifications',
    path: 'email-and-call',
    async run(rt) {
      const c = rt.caller('r-notify', 'sam', ['sales']);
      const orderId = rt.sales.seedOrder('r-notify', 150_000);
      const id = await start(rt, c, 'order-notifications', { orderId, notifyByEmail: true });
      await complete(rt, c, id, 'Task_Call', {});
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-notifications',
    path: 'no-channel',
    async run(rt) {
      const c = rt.caller('r-notify', 'sam', ['sales']);
      const orderId = rt.sales.seedOrder('r-notify', 10);
      return done(rt, c, [
        ['', await start(rt, c, 'order-notifications', { orderId, notifyByEmail: false })],
      ]);
    },
  },
  {
    example: 'order-with-credit-check',
    path: '',
    async run(rt) {
      const c = rt.caller('r-call');
      const id = await start(rt, c, 'order-with-credit-check', {
        customerId: 'c',
        currency: 'EUR',
        quantity: 1,
        sku: 'S',
        unitPriceMinor: 100,
      });
      const parent = await done(rt, c, [['', id]]);
      const children = await rt.processes.list(c, { definition: 'credit-check' });
      return [
        ...parent,
        ...(await done(
          rt,
          c,
          children.instances.map((i) => ['child-credit-check', i.instanceId] as const),
        )),
      ];
    },
  },
  {
    example: 'parallel-fulfilment',
    path: '',
    async run(rt) {
      const c = rt.caller('r-par', 'wendy', ['warehouse']);
      const orderId = rt.sales.seedOrder('r-par', 300);
      const id = await start(rt, c, 'parallel-fulfilment', { orderId });
      await complete(rt, c, id, 'Task_Pick', {});
      await complete(rt, c, id, 'Task_Pack', {});
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'payment-saga',
    path: 'declined',
    async run(rt) {
      const c = rt.caller('r-saga');
      return done(rt, c, [['', await start(rt, c, 'payment-saga', sagaVars)]]);
    },
  },
  {
    example: 'payment-saga',
    path: 'paid',
    async run(rt) {
      const c = rt.caller('r-saga');
      return done(rt, c, [
        ['', await start(rt, c, 'payment-saga', { ...sagaVars, paymentReference: 'PAY-2' })],
      ]);
    },
  },
  {
    example: 'payment-saga',
    path: 'cancelled',
    async run(rt) {
      const c = rt.caller('r-cancel');
      rt.sales.failNext('RecordPayment', 1000);
      const id = await start(rt, c, 'payment-saga', { ...sagaVars, paymentReference: 'PAY-3' });
      await eventually(
        () => Promise.resolve(rt.sales.callsOf('r-cancel', 'RecordPayment').length),
        (n) => n > 0,
      );
      await rt.processes.cancel(c, id);
      const out = await done(rt, c, [['', id]]);
      rt.sales.failNext('RecordPayment', 0);
      return out;
    },
  },
  {
    example: 'payment-wait',
    path: 'message',
    async run(rt) {
      const c = rt.caller('r-msg');
      const orderId = rt.sales.seedOrder('r-msg', 800, 1);
      const id = await start(rt, c, 'payment-wait', { orderId, currency: 'EUR' }, 1);
      await eventually(
        () =>
          rt.processes.correlateMessage(c, {
            name: 'PaymentReceived',
            correlationKey: orderId,
            payload: { paymentReference: 'P-9' },
          }),
        () => true,
      );
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'payment-wait',
    path: 'timeout',
    async run(rt) {
      const c = rt.caller('r-msg2');
      const orderId = rt.sales.seedOrder('r-msg2', 800, 1);
      return done(rt, c, [
        ['', await start(rt, c, 'payment-wait', { orderId, currency: 'EUR' }, 2)],
      ]);
    },
  },
  {
    example: 'order-shipment',
    path: 'paid',
    async run(rt) {
      const c = rt.caller('r-ship');
      const orderId = rt.sales.seedOrder('r-ship', 800, 1);
      const id = await start(rt, c, 'order-shipment', { orderId });
      for (let i = 0; i < 2; i++) await correlate(rt, c, 'DeliveryAddressChanged', orderId);
      await correlate(rt, c, 'PaymentReceived', orderId, orderShipmentPayment);
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-shipment',
    path: 'cancelled',
    async run(rt) {
      const c = rt.caller('r-ship2');
      const orderId = rt.sales.seedOrder('r-ship2', 800, 1);
      const id = await start(rt, c, 'order-shipment', { orderId });
      await correlate(rt, c, 'OrderCancellationRequested', orderId);
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-batch',
    path: 'approved',
    async run(rt) {
      const c = rt.caller('r-batch', 'ann', ['sales']);
      const id = await start(rt, c, 'order-batch', orderBatchVariables(3));
      await answerApprovals(rt, 'r-batch', id, [
        ['ann', true],
        ['cid', true],
      ]);
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-batch',
    path: 'rejected',
    async run(rt) {
      const c = rt.caller('r-batch', 'ann', ['sales']);
      const id = await start(rt, c, 'order-batch', orderBatchVariables(2));
      await answerApprovals(rt, 'r-batch', id, [['bob', false]]);
      return done(rt, c, [['', id]]);
    },
  },
  ...(['fulfilled', 'cancelled', 'out-of-stock'] as const).map((path): ExampleScenario => ({
    example: 'order-fulfilment-events',
    path,
    async run(rt) {
      const tenant = `r-esp-${path}`;
      const { id } = await runOrderFulfilment(rt, tenant, path);
      return done(rt, rt.caller(tenant, 'wes', ['warehouse']), [['', id]]);
    },
  })),
  ...(['approve', 'escalate', 'reject'] as const).map((path): ExampleScenario => ({
    example: 'order-review-escalation',
    path,
    async run(rt) {
      const tenant = `r-esc-${path}`;
      const { id } = await runOrderReview(rt, tenant, path);
      return done(rt, rt.caller(tenant, 'sam', ['sales']), [['', id]]);
    },
  })),
  ...(['shipped', 'high-risk'] as const).map((path): ExampleScenario => ({
    example: 'order-risk-watch',
    path,
    async run(rt) {
      const tenant = `r-risk-${path}`;
      const { id } = await runRiskWatch(rt, tenant, path);
      return done(rt, rt.caller(tenant, 'sam', ['sales']), [['', id]]);
    },
  })),
  ...(['approved', 'rejected'] as const).map((path): ExampleScenario => ({
    example: 'order-review-links',
    path,
    async run(rt) {
      const tenant = `r-link-${path}`;
      const { id } = await runLinkReview(rt, tenant, path === 'approved');
      return done(rt, rt.caller(tenant, 'sam', ['sales']), [['', id]]);
    },
  })),
  {
    example: 'order-recall-watch',
    path: 'recalled',
    async run(rt) {
      const tenant = 'r-sig-recall';
      const { id } = await startRecallWatch(rt, tenant);
      const thrower = await throwSignalBy(rt, tenant, 'product-recall');
      return done(rt, rt.caller(tenant, 'wes', ['warehouse']), [
        ['', id],
        ['thrower', thrower],
      ]);
    },
  },
  {
    // The CarrierAvailable signal sent from outside, with a payload the catch event maps in.
    example: 'order-recall-watch',
    path: 'payload',
    async run(rt) {
      const tenant = 'r-sig-payload';
      const c = rt.caller(tenant, 'wes', ['warehouse']);
      const { id } = await startRecallWatch(rt, tenant);
      await complete(rt, c, id, 'Task_Pack', {});
      await armed(rt, tenant, id, 'signal:CarrierAvailable:*');
      await rt.processes.broadcast(c, { name: 'CarrierAvailable', payload: { carrier: 'DHL' } });
      return done(rt, c, [['', id]]);
    },
  },
  {
    example: 'order-recall-watch',
    path: 'shipped',
    async run(rt) {
      const tenant = 'r-sig-ship';
      const c = rt.caller(tenant, 'wes', ['warehouse']);
      const { id } = await startRecallWatch(rt, tenant);
      await complete(rt, c, id, 'Task_Pack', {});
      await armed(rt, tenant, id, 'signal:CarrierAvailable:*');
      const thrower = await throwSignalBy(rt, tenant, 'carrier-available');
      return done(rt, c, [
        ['', id],
        ['thrower', thrower],
      ]);
    },
  },
  ...(['shipped', 'cancelled', 'no-carrier'] as const).map((path): ExampleScenario => ({
    example: 'shipment-dispatch',
    path,
    async run(rt) {
      const tenant = `r-dispatch-${path}`;
      const { id, thrower } = await runShipmentDispatch(rt, tenant, path);
      return done(rt, rt.caller(tenant, 'wes', ['warehouse']), [
        ['', id],
        ...(thrower ? ([['thrower', thrower]] as const) : []),
      ]);
    },
  })),
  ...([false, true] as const).map((priority): ExampleScenario => ({
    example: 'order-intake',
    path: priority ? 'priority' : 'standard',
    async run(rt) {
      const tenant = `r-intake-${priority ? 'priority' : 'standard'}`;
      const { first } = await runOrderIntake(rt, tenant, priority);
      return done(rt, rt.caller(tenant, 'shop', []), [['', first.instanceIds[0]!]]);
    },
  })),
  {
    // Started on its own (no caller): the escalation stays uncaught.
    example: 'credit-limit-check',
    path: 'over',
    async run(rt) {
      const c = rt.caller('r-limit-alone', 'sam', ['sales']);
      return done(rt, c, [
        ['', await start(rt, c, 'credit-limit-check', { amountMinor: 250_000 })],
      ]);
    },
  },
  ...([true, false] as const).map((over): ExampleScenario => ({
    example: 'order-credit-limit',
    path: over ? 'over' : 'within',
    async run(rt) {
      const tenant = `r-limit-${over ? 'over' : 'within'}`;
      const { id, child } = await runCreditLimit(rt, tenant, over);
      return done(rt, rt.caller(tenant, 'sam', ['sales']), [
        ['', id],
        ['child-credit-limit-check', child],
      ]);
    },
  })),
  ...(['broadcast', 'thrown'] as const).map((by): ExampleScenario => ({
    example: 'recall-notice',
    path: by,
    async run(rt) {
      const tenant = by === 'broadcast' ? RECALL_NOTICE_TENANTS[0] : RECALL_NOTICE_TENANTS[1];
      const { id, thrower } = await runRecallNotice(rt, tenant, by);
      return done(rt, rt.caller(tenant, 'wes', ['warehouse']), [
        ['', id],
        ...(thrower ? ([['thrower', thrower]] as const) : []),
      ]);
    },
  })),
  // A signal nobody waits for: the throwers alone.
  ...(['product-recall', 'carrier-available'] as const).map((example): ExampleScenario => ({
    example,
    path: '',
    async run(rt) {
      const tenant = `r-sig-${example}`;
      const id = await throwSignalBy(rt, tenant, example);
      return done(rt, rt.caller(tenant, 'wes', ['warehouse']), [['', id]]);
    },
  })),
  ...(['referred', 'conditions', 'approved'] as const).map((path): ExampleScenario => ({
    example: 'credit-application',
    path,
    async run(rt) {
      const c = rt.caller('r-credit-app');
      return done(rt, c, [
        ['', await start(rt, c, 'credit-application', { ...CREDIT_APPLICATIONS[path] })],
      ]);
    },
  })),
];

/** `histories/` file name of a recorded history: `<example>[.<path>][.<suffix>].json`. */
export function historyFileName(scenario: ExampleScenario, suffix: string): string {
  return `${[scenario.example, scenario.path, suffix].filter((p) => p !== '').join('.')}.json`;
}

/** `histories/` file mapping each history file to the workflow id it was recorded under. */
export const MANIFEST = 'manifest.json';
