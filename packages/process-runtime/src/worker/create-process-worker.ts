import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createProcessActivities, type ProcessActivitiesOptions } from '../activities/create-process-activities.js';
import type { ProcessActivities } from '../workflow/activity-types.js';
import { getWorkflowBundle } from './workflow-bundle.js';

export interface ProcessWorkerOptions {
  /** A connection to the Temporal frontend (`NativeConnection.connect({ address })`). */
  readonly connection: NativeConnection;
  /** Default `default`. */
  readonly namespace?: string;
  /** One task queue per process primitive. */
  readonly taskQueue: string;
  /** The activities' dependencies (or ready-made activities, e.g. for benchmarks). */
  readonly activities: ProcessActivitiesOptions | { readonly implementation: ProcessActivities };
  /** Default: the interpreter bundled once per process. */
  readonly workflowBundle?: WorkflowBundleWithSourceMap;
  readonly maxConcurrentActivityTaskExecutions?: number;
  readonly maxConcurrentWorkflowTaskExecutions?: number;
  readonly maxCachedWorkflows?: number;
  /** How long shutdown lets running activities finish (default 10 s). */
  readonly shutdownGraceTimeMs?: number;
  /** Extra workflows (same bundle rules), e.g. a benchmark baseline. */
  readonly workflowsPath?: string;
}

/** A running (or ready) worker of the interpreter. */
export interface ProcessWorker {
  readonly worker: Worker;
  /** Polls until shutdown; resolves when the worker has stopped. */
  run(): Promise<void>;
  /** Graceful: stops polling, lets in-flight tasks finish (up to the grace time), resolves when stopped. */
  shutdown(): Promise<void>;
}

/** Creates a worker running the interpreter workflow and its activities on `taskQueue`. */
export async function createProcessWorker(options: ProcessWorkerOptions): Promise<ProcessWorker> {
  const activities =
    'implementation' in options.activities ? options.activities.implementation : createProcessActivities(options.activities);
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowsPath
      ? { workflowsPath: options.workflowsPath }
      : { workflowBundle: options.workflowBundle ?? (await getWorkflowBundle()) }),
    activities: { ...activities },
    ...(options.maxConcurrentActivityTaskExecutions !== undefined
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
    ...(options.maxConcurrentWorkflowTaskExecutions !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions }
      : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: options.shutdownGraceTimeMs ?? 10_000,
  });
  let running: Promise<void> | undefined;
  return {
    worker,
    run() {
      running ??= worker.run();
      return running;
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
