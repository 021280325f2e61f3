import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { createStaticPlanSource } from '../activities/plan-source.js';
import { eventually } from '../testing/runtime-fixture.js';
import { PROCESS_WORKFLOW_TYPE } from '../workflow/definitions.js';
import { processSearchAttributes as SA } from '../workflow/search-attributes.js';
import { createProcessClient, type Caller, type ProcessClient } from './process-client.js';
import {
  instancesQuery,
  messageSubscriptionOf,
  subscribersQuery,
  taskCandidatesOf,
  userTasksQuery,
} from './process-queries.js';

// Instances are started on a task queue no worker polls: they stay running with the search
// attributes given at start, which is all visibility needs.
const taskQueue = `visibility-${randomUUID()}`;
const tenantA = `vq-${randomUUID().slice(0, 8)}`;
/** A tenant id that is tenant A's followed by an attempt to widen a filter. */
const tenantB = `${tenantA}' OR AmeideTenant != 'none`;
/** Stored by both tenants: searchable but hostile to a naively quoted filter. */
const storedKeys = [
  "x' OR AmeideTenant != 'y",
  "x' OR '1'='1",
  "a'b",
  "a''b",
  'PO-7',
  'po-7',
  '%',
  '😀 é',
  ' ',
  `${tenantA}`,
];

let connection: Connection;
let temporal: Client;
let processes: ProcessClient;
/**
 * What the workflow may write although no filter can name it: a correlation key holding U+2661,
 * which SQLite visibility lists split at (as `paid:a` and `b`).
 */
const splitKey = { key: 'split', message: 'paid:a♡b' };
const started: Array<{ tenant: string; workflowId: string; key: string; message: string }> = [];

const caller = (tenantId: string): Caller => ({
  tenantId,
  orgId: `${tenantId}-org`,
  userId: `${tenantId}-user`,
  groups: [],
});

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection, namespace: 'default' });
  processes = createProcessClient({
    temporal: countingWorkflowCalls(temporal),
    taskQueue,
    plans: createStaticPlanSource([]),
  });
  for (const tenant of [tenantA, tenantB]) {
    for (const { key, message } of [
      ...storedKeys.map((k) => ({ key: k, message: `paid:${k}` })),
      splitKey,
    ]) {
      const workflowId = `${tenant}:${randomUUID()}`;
      await temporal.workflow.start(PROCESS_WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [],
        typedSearchAttributes: [
          { key: SA.tenant, value: tenant },
          { key: SA.definition, value: 'visibility' },
          { key: SA.version, value: 1 },
          { key: SA.status, value: 'RUNNING' },
          { key: SA.businessKey, value: key },
          { key: SA.messages, value: [message] },
          { key: SA.taskCandidates, value: [`group:${key}`, `user:${key}`] },
        ],
      });
      started.push({ tenant, workflowId, key, message });
    }
  }
  for (const tenant of [tenantA, tenantB])
    await eventually(
      () => list(instancesQuery(tenant)),
      (found) => found.length === storedKeys.length + 1,
    );
});
afterAll(async () => {
  for (const s of started)
    await temporal.workflow
      .getHandle(s.workflowId)
      .terminate('test over')
      .catch(() => undefined);
  await connection?.close();
});

async function list(query: string): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of temporal.workflow.list({ query, pageSize: 100 })) out.push(info);
  return out;
}

/** Calls the process client made on `temporal.workflow` (list, getHandle, start, ...). */
let workflowCalls = 0;

/** `temporal` with every `workflow.*` call counted in {@link workflowCalls}. */
function countingWorkflowCalls(client: Client): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        workflowCalls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property === 'workflow' ? workflow : (Reflect.get(target, property, receiver) as unknown),
  });
}

/**
 * `invalid_argument` before Temporal is called (a failing visibility query would reach Temporal
 * and take ~20 s there): the refusal happens in the client.
 */
async function refusedFast(run: () => Promise<unknown>): Promise<boolean> {
  const before = workflowCalls;
  try {
    await run();
    return false;
  } catch (err) {
    if (!isAmeideError(err) || err.code !== 'invalid_argument') throw err;
    expect(workflowCalls, 'the refused call reached Temporal').toBe(before);
    return true;
  }
}

function refused(build: () => string): string | undefined {
  try {
    return build();
  } catch (err) {
    if (isAmeideError(err) && err.code === 'invalid_argument') return undefined;
    throw err;
  }
}

/** Any unicode, weighted towards quotes, backslashes, NUL, controls and the stored keys. */
const filterValue = fc.oneof(
  fc.constantFrom(...storedKeys, 'a', 'b', splitKey.key),
  fc.string({
    unit: fc.oneof(
      fc.constantFrom("'", '"', '\\', '\0', '\n', '\r', '\x1f', '\x85', '\uD800', '♡', " OR '"),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  }),
);

describe('visibility filters', () => {
  it('never leave the caller tenant, find exact matches, and refuse unsearchable values before calling Temporal', async () => {
    await fc.assert(
      fc.asyncProperty(filterValue, fc.constantFrom(tenantA, tenantB), async (value, tenant) => {
        const mine = started.filter((s) => s.tenant === tenant);
        const c = caller(tenant);

        const byKey = refused(() => instancesQuery(tenant, { businessKey: value }));
        if (byKey === undefined) {
          expect(await refusedFast(() => processes.list(c, { businessKey: value }))).toBe(true);
          expect(
            await refusedFast(() =>
              processes.correlateMessage(c, { name: 'paid', correlationKey: value }),
            ),
          ).toBe(true);
          expect(await refusedFast(() => processes.listUserTasks({ ...c, groups: [value] }))).toBe(
            true,
          );
          return;
        }
        // The query itself, as Temporal answers it: the caller's tenant, exactly the matches.
        const raw = await list(byKey);
        for (const info of raw) expect(info.typedSearchAttributes.get(SA.tenant)).toBe(tenant);
        const expected = value === '' ? mine : mine.filter((s) => s.key === value);
        expect(raw.map((i) => i.workflowId).sort()).toEqual(
          expected.map((s) => s.workflowId).sort(),
        );
        const calls = workflowCalls;
        const page = await processes.list(c, { businessKey: value, pageSize: 100 });
        // The count sees the client's calls (so refusedFast's check can fail).
        expect(workflowCalls).toBeGreaterThan(calls);
        expect(page.instances.length).toBe(expected.length);
        for (const i of page.instances) if (value !== '') expect(i.businessKey).toBe(value);

        const byDefinition = await list(instancesQuery(tenant, { definition: value }));
        for (const info of byDefinition)
          expect(info.typedSearchAttributes.get(SA.tenant)).toBe(tenant);

        // KeywordList filters may match loosely inside the tenant (FTS5 folds case), never outside.
        const subscription = messageSubscriptionOf('paid', value);
        for (const info of await list(subscribersQuery(tenant, subscription)))
          expect(info.typedSearchAttributes.get(SA.tenant)).toBe(tenant);
        for (const info of await list(userTasksQuery(tenant, taskCandidatesOf(value, [value]))))
          expect(info.typedSearchAttributes.get(SA.tenant)).toBe(tenant);

        // The client delivers only to an exact subscriber of the caller's tenant.
        const waiting = mine.filter((s) => s.message === `paid:${value}`).map((s) => s.workflowId);
        try {
          const delivered = await processes.correlateMessage(c, {
            name: 'paid',
            correlationKey: value,
          });
          expect(delivered.instanceIds.map((id) => `${tenant}:${id}`)).toEqual(waiting.slice(0, 1));
        } catch (err) {
          if (!isAmeideError(err) || err.code !== 'not_found') throw err;
          expect(waiting).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('refuses a business key ListProcessInstances could never find at StartProcess', async () => {
    for (const businessKey of ['PO "7"', 'PO\\7', 'PO\n7', 'PO\u00007', "'PO-7'"]) {
      const err = await processes
        .start(caller(tenantA), { definition: { name: 'x' }, version: 'latest', businessKey })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isAmeideError(err) && err.code).toBe('invalid_argument');
      expect(isAmeideError(err) && err.fieldViolations.map((v) => v.field)).toEqual([
        'business_key',
      ]);
    }
  });

  it('delivers a message to the exact subscriber only, though the KeywordList match is loose', async () => {
    const idOf = (key: string) =>
      started.find((s) => s.tenant === tenantA && s.key === key)?.workflowId;
    const subscribers = async (key: string) =>
      (await list(subscribersQuery(tenantA, messageSubscriptionOf('paid', key))))
        .map((i) => i.workflowId)
        .sort();
    // What the dev server's store answers (FTS5 folds case; lists are split at U+2661) ...
    expect(await subscribers('PO-7')).toEqual([idOf('PO-7'), idOf('po-7')].sort());
    expect(await subscribers('a')).toEqual([idOf(splitKey.key)]);
    // ... and what the client makes of it.
    const correlate = (correlationKey: string) =>
      processes.correlateMessage(caller(tenantA), { name: 'paid', correlationKey });
    expect((await correlate('PO-7')).instanceIds.map((id) => `${tenantA}:${id}`)).toEqual([
      idOf('PO-7'),
    ]);
    await expect(correlate('a')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists an instance under the status it reports: running until its execution closes, then what it recorded or how it closed', async () => {
    const tenant = `vs-${randomUUID().slice(0, 8)}`;
    // recorded status, and whether the execution is then terminated
    const cases = {
      running: ['RUNNING', false],
      recordedNotClosed: ['COMPLETED', false],
      terminated: ['RUNNING', true],
      recordedFailedThenTerminated: ['FAILED', true],
    } as const;
    for (const [name, [status, terminate]] of Object.entries(cases)) {
      const workflowId = `${tenant}:${randomUUID()}`;
      const handle = await temporal.workflow.start(PROCESS_WORKFLOW_TYPE, {
        taskQueue,
        workflowId,
        args: [],
        typedSearchAttributes: [
          { key: SA.tenant, value: tenant },
          { key: SA.definition, value: 'visibility' },
          { key: SA.version, value: 1 },
          { key: SA.status, value: status },
          { key: SA.businessKey, value: name },
        ],
      });
      started.push({ tenant, workflowId, key: name, message: '' });
      if (terminate) await handle.terminate('closed without recording');
    }
    await eventually(
      () => list(`${instancesQuery(tenant)} AND ExecutionStatus = 'Terminated'`),
      (found) => found.length === 2,
    );
    const listed = async (status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED') =>
      (await processes.list(caller(tenant), { status })).instances
        .map((i) => `${i.businessKey}:${i.status}`)
        .sort();
    expect(await listed('RUNNING')).toEqual(['recordedNotClosed:RUNNING', 'running:RUNNING']);
    expect(await listed('COMPLETED')).toEqual([]);
    expect(await listed('CANCELLED')).toEqual(['terminated:CANCELLED']);
    expect(await listed('FAILED')).toEqual(['recordedFailedThenTerminated:FAILED']);
  });
});
