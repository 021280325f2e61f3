import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import {
  Worker,
  type NativeConnection,
  type InjectedSinks,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import {
  createProcessActivities,
  type ProcessActivitiesOptions,
} from '../activities/create-process-activities.js';
import type { ProcessActivities } from '../workflow/activity-types.js';
import { WORKFLOW_INTERCEPTOR_MODULES, getWorkflowBundle } from './workflow-bundle.js';

/** Receives the spans the interpreter workflow records (an OpenTelemetry `SpanProcessor`). */
export type WorkflowSpanProcessor = Parameters<typeof makeWorkflowExporter>[0];
/** The OpenTelemetry `Resource` attached to workflow spans. */
export type WorkflowSpanResource = Parameters<typeof makeWorkflowExporter>[1];

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
  /** Where the default bundle is kept between processes (see `getWorkflowBundle`). */
  readonly workflowBundleCacheDir?: string;
  readonly maxConcurrentActivityTaskExecutions?: number;
  readonly maxConcurrentWorkflowTaskExecutions?: number;
  readonly maxCachedWorkflows?: number;
  /** How long shutdown lets running activities finish (default 10 s). */
  readonly shutdownGraceTimeMs?: number;
  /** Extra workflows (same bundle rules), e.g. a benchmark baseline. */
  readonly workflowsPath?: string;
  /**
   * Where workflow spans go (they are recorded in the sandbox and handed out through a sink; never
   * during replay). Default: dropped. Activity spans always use the global tracer provider, with
   * the workflow's span as parent (propagated in activity headers).
   */
  readonly tracing?: {
    readonly spanProcessor: WorkflowSpanProcessor;
    readonly resource: WorkflowSpanResource;
  };
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
    'implementation' in options.activities
      ? options.activities.implementation
      : createProcessActivities(options.activities);
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowsPath
      ? { workflowsPath: options.workflowsPath }
      : {
          workflowBundle:
            options.workflowBundle ??
            (await getWorkflowBundle(
              options.workflowBundleCacheDir === undefined
                ? {}
                : { cacheDir: options.workflowBundleCacheDir },
            )),
        }),
    activities: { ...activities },
    // The workflow side of tracing is bundled (WORKFLOW_INTERCEPTOR_MODULES); this is the activity side.
    interceptors: {
      ...(options.workflowsPath ? { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] } : {}),
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: workflowSpanSinks(options.tracing),
    ...(options.maxConcurrentActivityTaskExecutions !== undefined
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
    ...(options.maxConcurrentWorkflowTaskExecutions !== undefined
      ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions }
      : {}),
    ...(options.maxCachedWorkflows !== undefined
      ? { maxCachedWorkflows: options.maxCachedWorkflows }
      : {}),
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

/** The sink the bundled workflow interceptors export spans to; a no-op one unless tracing is configured. */
function workflowSpanSinks(
  tracing: ProcessWorkerOptions['tracing'],
): InjectedSinks<OpenTelemetrySinks> {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => undefined } } };
}
