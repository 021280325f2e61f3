import { NativeConnection } from '@temporalio/worker';
import type { AgentInvoker } from '../activities/agent-invoker.js';
import type { PlanSource } from '../activities/plan-source.js';
import type { TokenProvider } from '../activities/token-provider.js';
import { createProcessWorker, type ProcessWorker } from './create-process-worker.js';

export interface RunProcessWorkerOptions {
  /** Temporal frontend, `host:port`. */
  readonly temporalAddress: string;
  readonly namespace?: string;
  readonly taskQueue: string;
  readonly plans: PlanSource;
  readonly tokens: TokenProvider;
  /** Where domains are served (the platform's base URL in embedded mode). */
  readonly serviceUrl: string | ((service: string) => string);
  readonly agents?: AgentInvoker;
  readonly maxConcurrentActivityTaskExecutions?: number;
  readonly maxConcurrentWorkflowTaskExecutions?: number;
  /** Stop on these signals (default SIGINT and SIGTERM); `[]` leaves signals alone. */
  readonly stopOn?: readonly NodeJS.Signals[];
  /** Called once the worker polls. */
  readonly onReady?: (worker: ProcessWorker) => void;
}

/**
 * Runs a process worker until SIGINT/SIGTERM (or `shutdown()`), for `ameide process worker`
 * and `ameide dev`: connects, polls the task queue, drains gracefully on a signal, closes the
 * connection. Resolves when the worker has stopped.
 */
export async function runProcessWorker(options: RunProcessWorkerOptions): Promise<void> {
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  try {
    const worker = await createProcessWorker({
      connection,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      taskQueue: options.taskQueue,
      activities: {
        plans: options.plans,
        tokens: options.tokens,
        serviceUrl: options.serviceUrl,
        ...(options.agents ? { agents: options.agents } : {}),
      },
      ...(options.maxConcurrentActivityTaskExecutions !== undefined
        ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
        : {}),
      ...(options.maxConcurrentWorkflowTaskExecutions !== undefined
        ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions }
        : {}),
    });
    const stop = (): void => void worker.shutdown();
    const signals = options.stopOn ?? ['SIGINT', 'SIGTERM'];
    for (const s of signals) process.once(s, stop);
    try {
      const running = worker.run();
      options.onReady?.(worker);
      await running;
    } finally {
      for (const s of signals) process.off(s, stop);
    }
  } finally {
    await connection.close();
  }
}
