import type { Logger } from '@ameide/server';
import type { RunningProcessWorker } from '../primitives/process-worker.js';

/** One process worker per tenant namespace in use: {@link startNamespaceWorkers}. */
export interface NamespaceWorkers {
  /** Starts a worker in each wanted namespace that has none, stops those no longer wanted. */
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
  const running = new Map<string, Promise<RunningProcessWorker | undefined>>();
  const polling = new Set<string>();
  let closed = false;
  const startIn = async (namespace: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const worker = await options.start(namespace);
        polling.add(namespace);
        return worker;
      } catch (err) {
        if (closed || attempt >= 20) {
          options.logger.error({ err, namespace }, 'no process worker for the tenant namespace');
          running.delete(namespace);
          return undefined;
        }
        await new Promise((r) => setTimeout(r, options.retryMs ?? 500));
      }
    }
  };
  return {
    sync(wanted) {
      if (closed) return;
      for (const namespace of wanted)
        if (!running.has(namespace)) running.set(namespace, startIn(namespace));
      for (const [namespace, started] of running)
        if (!wanted.has(namespace)) {
          running.delete(namespace);
          polling.delete(namespace);
          void started.then((w) => w?.close());
        }
    },
    polling: () => [...polling],
    async close() {
      closed = true;
      for (const started of running.values()) await (await started)?.close();
      running.clear();
    },
  };
}
