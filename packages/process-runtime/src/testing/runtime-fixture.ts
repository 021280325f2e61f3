import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createEphemeralDevIdentity, type DevIdentity } from '@ameide/server';
import type { AgentInvoker } from '../activities/agent-invoker.js';
import { createStaticPlanSource, type PlanSource } from '../activities/plan-source.js';
import { createDevTokenProvider } from '../activities/token-provider.js';
import { createPgliteDatabase, type Database } from '@ameide/persistence';
import { createProcessClient, type Caller, type ProcessClient } from '../client/process-client.js';
import {
  createStartTriggers,
  createStaticStartTriggers,
  type StartTriggers,
} from '../client/start-triggers.js';
import { migrateProcessEvents } from '../lifecycle/instance-events.js';
import { createProcessWorker, type ProcessWorker } from '../worker/create-process-worker.js';
import type { DecisionRef, InstanceOptions, ProcessRef } from '../workflow/types.js';
import type { CompiledPlan } from './example-plans.js';
import { startSalesDouble, type SalesDouble } from './sales-double.js';

/** A Temporal client, a worker on its own task queue, the sales double, and plans to publish. */
export interface RuntimeFixture {
  readonly address: string;
  readonly taskQueue: string;
  readonly temporal: Client;
  readonly connection: NativeConnection;
  readonly identity: DevIdentity;
  readonly sales: SalesDouble;
  readonly plans: PlanSource;
  readonly processes: ProcessClient;
  worker: ProcessWorker | undefined;
  /** Makes `compiled` the published version `version` of `name` (for every tenant unless given). */
  publish(name: string, version: number, compiled: CompiledPlan, tenantId?: string): ProcessRef;
  /** Makes a compiled DecisionPlan the published version `version` of decision definition `name`. */
  publishDecision(
    name: string,
    version: number,
    compiled: { readonly json: string; readonly hash: string },
    tenantId?: string,
  ): DecisionRef;
  /** Everything published, as `createStaticPlanSource` takes it. */
  readonly published: ReadonlyArray<{ ref: ProcessRef; planJson: string; tenantId?: string }>;
  startWorker(): Promise<ProcessWorker>;
  caller(tenantId: string, userId?: string, groups?: readonly string[]): Caller;
  close(): Promise<void>;
}

export interface RuntimeFixtureOptions {
  readonly agents?: AgentInvoker;
  readonly instanceOptions?: InstanceOptions;
  /** Start a worker right away (default true). */
  readonly worker?: boolean;
  /** Default: an ephemeral key. */
  readonly identity?: DevIdentity;
}

let runtimeInstalled = false;

export async function startRuntimeFixture(
  address: string,
  label: string,
  options: RuntimeFixtureOptions = {},
): Promise<RuntimeFixture> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Already installed by another fixture in this process.
    }
  }
  const taskQueue = `${label}-${randomUUID()}`;
  const identity = options.identity ?? (await createEphemeralDevIdentity());
  const sales = await startSalesDouble(identity);
  const entries: Array<{ ref: ProcessRef; planJson: string; tenantId?: string }> = [];
  const decisions: Array<{ ref: DecisionRef; planJson: string; tenantId?: string }> = [];
  const plans = createStaticPlanSource(entries, { decisions });
  const clientConnection = await Connection.connect({ address });
  const temporal = new Client({ connection: clientConnection, namespace: 'default' });
  const connection = await NativeConnection.connect({ address });
  // Message and signal starts of what is published here; message ids are kept in an embedded
  // Postgres, opened on the first message with an id.
  let receiptsDb: Promise<Database> | undefined;
  const receipts = (): Promise<StartTriggers> =>
    (receiptsDb ??= createPgliteDatabase().then(async (db) => {
      await migrateProcessEvents(db);
      return db;
    })).then((db) => createStartTriggers(db));
  const startTriggers = createStaticStartTriggers(entries, {
    recall: async (tenantId, message) => (await receipts()).recall(tenantId, message),
    keep: async (tenantId, message, receipt) => (await receipts()).keep(tenantId, message, receipt),
  });
  const processes = createProcessClient({
    temporal,
    taskQueue,
    plans,
    startTriggers,
    ...(options.instanceOptions ? { instanceOptions: options.instanceOptions } : {}),
  });
  const fixture: RuntimeFixture = {
    address,
    taskQueue,
    temporal,
    connection,
    identity,
    sales,
    plans,
    processes,
    worker: undefined,
    published: entries,
    publish(name, version, compiled, tenantId) {
      const ref: ProcessRef = {
        definitionId: `def-${name}`,
        name,
        version,
        planHash: compiled.hash,
      };
      entries.push({ ref, planJson: compiled.json, ...(tenantId ? { tenantId } : {}) });
      return ref;
    },
    publishDecision(name, version, compiled, tenantId) {
      const ref: DecisionRef = {
        definitionId: `decision-${name}`,
        name,
        version,
        planHash: compiled.hash,
      };
      decisions.push({ ref, planJson: compiled.json, ...(tenantId ? { tenantId } : {}) });
      return ref;
    },
    async startWorker() {
      const worker = await createProcessWorker({
        connection,
        taskQueue,
        activities: {
          plans,
          tokens: createDevTokenProvider(identity),
          serviceUrl: sales.url,
          signals: processes,
          ...(options.agents ? { agents: options.agents } : {}),
        },
      });
      void worker.run();
      fixture.worker = worker;
      return worker;
    },
    caller(tenantId, userId = `${tenantId}-user`, groups = []) {
      return { tenantId, orgId: `${tenantId}-org`, userId, groups };
    },
    async close() {
      await fixture.worker?.shutdown();
      await connection.close();
      await clientConnection.close();
      await sales.close();
      if (receiptsDb) await (await receiptsDb).close();
    },
  };
  if (options.worker !== false) await fixture.startWorker();
  return fixture;
}

/** Polls `fn` until it returns a value that `ok` accepts (visibility and workers are asynchronous). */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
