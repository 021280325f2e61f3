import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import {
  createProcessClient,
  createProcessWorker,
  type AgentInvoker,
  type PlanSource,
  type ProcessWorker,
  type TokenProvider,
} from '@ameide/process-runtime';
import type { Database } from '@ameide/persistence';
import type { Logger } from '@ameide/server';
import { DEFAULT_TASK_QUEUE, type TemporalConfig } from './temporal.js';

export interface ProcessWorkerPrimitiveOptions {
  readonly temporal: TemporalConfig;
  readonly plans: PlanSource;
  /** Tokens the service tasks call domains with, per instance actor. */
  readonly tokens: TokenProvider;
  /** Base URL serving a service (`package.Service`), or one URL for all. */
  readonly serviceUrl: string | ((service: string) => string);
  /** How long shutdown lets running activities finish (default: the worker's, 10 s). */
  readonly shutdownGraceTimeMs?: number;
  /** Keep the workflow bundle here between starts (`ameide dev`: `<home>/cache`). */
  readonly workflowBundleCacheDir?: string;
  /**
   * Where the Temporal SDK's own logs go: this logger (JSON lines), or the console
   * without it. Either way only warnings and errors (the SDK is chatty at info).
   */
  readonly logger?: Logger;
  /** The platform database: instance lifecycle events go to its `process` log. */
  readonly events?: { readonly db: Database };
  /** Runs `agentTask` nodes (default: none, and such a task fails the instance). */
  readonly agents?: AgentInvoker;
}

/** A polling process worker. */
export interface RunningProcessWorker {
  readonly taskQueue: string;
  /** Whether it is polling. */
  running(): boolean;
  /** Drains running tasks, stops polling, closes the connection. */
  close(): Promise<void>;
}

/** Connects to Temporal and runs the interpreter workflow and its activities on the task queue. */
export async function startProcessWorkerPrimitive(
  options: ProcessWorkerPrimitiveOptions,
): Promise<RunningProcessWorker> {
  installRuntimeLogger(options.logger);
  const taskQueue = options.temporal.taskQueue ?? DEFAULT_TASK_QUEUE;
  const connection = await NativeConnection.connect({ address: options.temporal.address }).catch(
    (err: unknown) => {
      throw new Error(
        `cannot connect to Temporal at ${options.temporal.address}: ${(err as Error).message}`,
        { cause: err },
      );
    },
  );
  // Thrown signals reach the tenant's other instances through a client of the same namespace.
  let clientConnection: Connection;
  try {
    clientConnection = await Connection.connect({ address: options.temporal.address });
  } catch (err) {
    await connection.close();
    throw new Error(
      `cannot connect to Temporal at ${options.temporal.address}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const signals = createProcessClient({
    temporal: new Client({
      connection: clientConnection,
      namespace: options.temporal.namespace ?? 'default',
    }),
    taskQueue,
    plans: options.plans,
  });
  let worker: ProcessWorker;
  try {
    worker = await createProcessWorker({
      connection,
      ...(options.temporal.namespace ? { namespace: options.temporal.namespace } : {}),
      taskQueue,
      activities: {
        plans: options.plans,
        tokens: options.tokens,
        serviceUrl: options.serviceUrl,
        signals,
        ...(options.events ? { events: options.events } : {}),
        ...(options.agents ? { agents: options.agents } : {}),
      },
      ...(options.shutdownGraceTimeMs !== undefined
        ? { shutdownGraceTimeMs: options.shutdownGraceTimeMs }
        : {}),
      ...(options.workflowBundleCacheDir !== undefined
        ? { workflowBundleCacheDir: options.workflowBundleCacheDir }
        : {}),
    });
  } catch (err) {
    await connection.close();
    await clientConnection.close();
    throw err;
  }
  const run = worker.run();
  let stopped = false;
  void run.finally(() => (stopped = true)).catch(() => undefined);
  return {
    taskQueue,
    running: () => !stopped && worker.worker.getState() === 'RUNNING',
    async close() {
      await worker.shutdown().catch(() => undefined);
      await run.catch(() => undefined);
      await connection.close();
      await clientConnection.close();
    },
  };
}

let runtimeInstalled = false;

/** The Temporal runtime is process-wide and configured once, before the first native connection. */
function installRuntimeLogger(logger: Logger | undefined): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level: LogLevel = 'WARN';
  try {
    Runtime.install({
      logger: logger
        ? new DefaultLogger(level, (entry) => {
            const details = { ...entry.meta, source: 'temporal' };
            if (entry.level === 'ERROR') logger.error(details, entry.message);
            else logger.warn(details, entry.message);
          })
        : new DefaultLogger(level),
    });
  } catch {
    // Installed already, by another part of this process (a test fixture).
  }
}
