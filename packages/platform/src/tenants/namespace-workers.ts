import type { Logger } from '@ameide/server';
import { createKeyedRunners } from '../keyed-runners.js';
import type { RunningProcessWorker } from '../primitives/process-worker.js';

/** One process worker per tenant namespace in use: {@link startNamespaceWorkers}. */
export interface NamespaceWorkers {
  /**
   * Starts a worker in each wanted namespace that has none, stops those no longer wanted (one
   * sync after the other, not waited for).
   */
  sync(wanted: ReadonlySet<string>): void;
  /** The namespaces whose worker polls. */
  polling(): string[];
  close(): Promise<void>;
}

/**
 * Keeps a process worker polling each Temporal namespace a tenant of its own has, as tenants
 * come and go. A namespace just created reaches every frontend a moment later, so a start is
 * retried (every 500 ms, 20 times) before it is given up and logged.
 */
export function startNamespaceWorkers(options: {
  readonly start: (namespace: string) => Promise<RunningProcessWorker>;
  readonly logger: Logger;
  readonly retryMs?: number;
}): NamespaceWorkers {
  const polling = new Set<string>();
  let closed = false;
  const startIn = async (namespace: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const worker = await options.start(namespace);
        polling.add(namespace);
        return worker;
      } catch (err) {
        if (closed || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, options.retryMs ?? 500));
      }
    }
  };
  const workers = createKeyedRunners({
    start: startIn,
    stop: (worker: RunningProcessWorker, namespace) => {
      polling.delete(namespace);
      return worker.close();
    },
    onError: (err, namespace, phase) =>
      options.logger.error(
        { err, namespace },
        phase === 'start'
          ? 'no process worker for the tenant namespace'
          : 'cannot stop the process worker of the tenant namespace',
      ),
  });
  return {
    sync(wanted) {
      void workers.sync([...wanted].map((namespace) => [namespace, namespace] as const));
    },
    polling: () => [...polling],
    close() {
      closed = true;
      return workers.close();
    },
  };
}
