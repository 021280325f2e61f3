import { describe, expect, it } from 'vitest';
import { compileExample } from '../../testing/example-plans.js';
import { startFakeInstance } from '../../testing/fake-instance.js';
import { createFakeSales, ORDER_STATUS } from '../../testing/fake-sales.js';

// Link events on the fake port, with examples/processes/order-review-links.bpmn
// (examples.int.test.ts runs it on Temporal).

async function review(approved: boolean) {
  const sales = createFakeSales();
  const orderId = sales.seedOrder(200, ORDER_STATUS.draft);
  const i = await startFakeInstance(await compileExample('order-review-links'), {
    world: sales,
    variables: { orderId },
  });
  await i.complete('Task_Review', { approved });
  return { sales, orderId, i };
}

describe('link events', () => {
  it('a link throw goes on at the link catch event of its name', async () => {
    const { sales, orderId, i } = await review(true);
    expect(i.completed()).toEqual([
      'Task_Review',
      'Gateway_Approved',
      'Link_ToConfirmation',
      'Task_Confirm',
      'End_Confirmed',
    ]);
    expect(
      i.engine.state.audit.filter((a) => a.event === 'entered').map((a) => a.nodeId),
    ).toContain('Link_Confirmation');
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.confirmed);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Confirmed' } });
  });

  it('the other branch never passes the link', async () => {
    const { sales, orderId, i } = await review(false);
    expect(sales.methods()).toEqual(['CancelOrder']);
    expect(sales.order(orderId)?.status).toBe(ORDER_STATUS.cancelled);
    expect(i.ended()?.end).toMatchObject({ result: { endEvent: 'End_Cancelled' } });
  });
});
