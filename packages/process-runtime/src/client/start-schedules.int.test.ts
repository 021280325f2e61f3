// Timer start events as Temporal Schedules on the real dev server: created for a version,
// replaced by the next, removed with the definition; a short cycle really starts instances.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStartSchedules, scheduleSpecOf, type StartSchedules } from '@ameide/process-runtime';
import { compilePlan, EXAMPLES_DIR } from '../testing/example-plans.js';
import type { ProcessRef } from '../workflow/types.js';

const NO_TIME = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

/** The daily review example with its start event's timer cycle replaced. */
const withCycle = (cycle: string) =>
  compilePlan(
    readFileSync(`${EXAMPLES_DIR}daily-order-review.bpmn`, 'utf8').replace(
      'R/2026-01-05T07:00:00Z/P1D',
      cycle,
    ),
  );

describe('timer start events as Temporal Schedules', () => {
  let connection: Connection;
  let client: Client;
  let schedules: StartSchedules;
  const tenantId = `sched-${randomUUID().slice(0, 8)}`;
  const taskQueue = `start-schedules-${randomUUID()}`;
  const refOf = (version: number, planHash: string): ProcessRef => ({
    definitionId: 'def-1',
    name: 'daily-order-review',
    version,
    planHash,
  });
  const ours = async () => {
    const ids: string[] = [];
    for await (const s of client.schedule.list())
      if (s.scheduleId.startsWith(`ameide-start:${tenantId}:`)) ids.push(s.scheduleId);
    return ids;
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection, namespace: 'default' });
    schedules = createStartSchedules({
      temporal: () => client,
      namespaceFor: () => 'default',
      taskQueue,
    });
  });

  afterAll(async () => {
    for (const id of (await ours().catch(() => [])) ?? [])
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    await connection?.close();
  });

  it('creates a version’s schedule, replaces it with the next version’s, removes it', async () => {
    const v1 = await withCycle('R/2026-01-05T07:00:00Z/P1D');
    const created = await schedules.sync(tenantId, 'def-1', {
      ref: refOf(1, v1.hash),
      plan: v1.plan,
    });
    const id = `ameide-start:${tenantId}:def-1:StartEvent_Daily`;
    expect(created).toEqual([{ scheduleId: id, change: 'created' }]);
    const first = await client.schedule.getHandle(id).describe();
    expect(first.spec.intervals).toEqual([
      { every: 86_400_000, offset: Date.parse('2026-01-05T07:00:00Z') % 86_400_000 },
    ]);
    expect(first.state.note).toBe('daily-order-review version 1');
    expect(first.action.type).toBe('startWorkflow');
    expect(first.action.workflowType).toBe('processInstance');
    expect(first.action.taskQueue).toBe(taskQueue);
    expect(first.policies.overlap).toBe('ALLOW_ALL');
    // The next version, every 12 hours, 3 times: the same schedule, replaced whole.
    const v2 = await withCycle('R3/2026-02-01T00:00:00Z/PT12H');
    const replaced = await schedules.sync(tenantId, 'def-1', {
      ref: refOf(2, v2.hash),
      plan: v2.plan,
    });
    expect(replaced).toEqual([{ scheduleId: id, change: 'replaced' }]);
    const second = await client.schedule.getHandle(id).describe();
    expect(second.spec.intervals?.[0]?.every).toBe(43_200_000);
    expect(second.state.note).toBe('daily-order-review version 2');
    expect(second.state.remainingActions).toBe(3);
    expect(await ours()).toEqual([id]);
    // Again: nothing new.
    expect(
      await schedules.sync(tenantId, 'def-1', { ref: refOf(2, v2.hash), plan: v2.plan }),
    ).toEqual([{ scheduleId: id, change: 'replaced' }]);
    expect(await schedules.sync(tenantId, 'def-1', undefined)).toEqual([
      { scheduleId: id, change: 'removed' },
    ]);
    expect(await ours()).toEqual([]);
    expect(await schedules.sync(tenantId, 'def-1', undefined)).toEqual([]);
  }, 60_000);

  it('starts pinned instances of the tenant when it fires', async () => {
    const plan = await withCycle('R2/PT1S');
    await schedules.sync(tenantId, 'def-2', { ref: refOf(1, plan.hash), plan: plan.plan });
    // No worker polls this task queue: the instances stay running, visible by their attributes.
    let started = 0;
    for (let i = 0; i < 100 && started < 2; i++) {
      const { count } = await connection.workflowService.countWorkflowExecutions({
        namespace: 'default',
        query: `AmeideTenant = '${tenantId}' AND AmeideDefinition = 'daily-order-review' AND AmeideDefinitionVersion = 1`,
      });
      started = Number(count);
      if (started < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(started).toBe(2);
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: `AmeideTenant = '${tenantId}'` }))
      ids.push(w.workflowId);
    for (const id of ids)
      expect(id.startsWith(`${tenantId}:daily-order-review-scheduled`)).toBe(true);
    const [one] = ids;
    const handle = client.workflow.getHandle(one!);
    const history = await handle.fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input;
    expect(input?.payloads?.length).toBe(1);
    for (const id of ids) await client.workflow.getHandle(id).terminate('test');
    await schedules.sync(tenantId, 'def-2', undefined);
  }, 60_000);

  it('has a spec for a date and none for a cycle of months or a duration', () => {
    expect(
      scheduleSpecOf({
        type: 'date',
        source: '2027-03-04T05:06:07Z',
        epochMs: Date.parse('2027-03-04T05:06:07Z'),
      }),
    ).toEqual({
      spec: {
        calendars: [{ year: 2027, month: 'MARCH', dayOfMonth: 4, hour: 5, minute: 6, second: 7 }],
      },
      remainingActions: 1,
    });
    expect(
      scheduleSpecOf({
        type: 'cycle',
        source: 'R/P1M',
        repetitions: null,
        interval: { ...NO_TIME, months: 1 },
      }),
    ).toEqual({ refused: 'the cycle R/P1M has no fixed length (months or years)' });
    expect(
      scheduleSpecOf({ type: 'duration', source: 'PT5M', duration: { ...NO_TIME, minutes: 5 } }),
    ).toEqual({ refused: "a start event's duration PT5M is not a point in time" });
  });
});
