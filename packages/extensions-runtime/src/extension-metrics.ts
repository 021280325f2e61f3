import { metrics, type Attributes, type Meter } from '@opentelemetry/api';

/** The instruments the runtime records into, one set per runtime. */
export interface ExtensionMetrics {
  record(event: {
    readonly extension: string;
    readonly version: string;
    readonly durationMs: number;
    /** `ok`, or the error's reason (e.g. `EXTENSION_TIMEOUT`). */
    readonly outcome: string;
    readonly memoryPages: number | undefined;
  }): void;
}

/**
 * Creates the runtime's OpenTelemetry instruments on `meter` (default: the global meter
 * provider's `@ameide/extensions-runtime` meter, a no-op until the host installs an SDK):
 * `ameide.extension.duration` (ms), `ameide.extension.errors` (by `error.kind`),
 * `ameide.extension.timeouts` and `ameide.extension.memory.pages` (high-water pages per
 * invocation), all with `extension.name` and `extension.version`.
 */
export function createExtensionMetrics(meter?: Meter): ExtensionMetrics {
  const m = meter ?? metrics.getMeter('@ameide/extensions-runtime');
  const duration = m.createHistogram('ameide.extension.duration', {
    description: 'Duration of extension invocations',
    unit: 'ms',
  });
  const errors = m.createCounter('ameide.extension.errors', {
    description: 'Failed extension invocations by kind',
  });
  const timeouts = m.createCounter('ameide.extension.timeouts', {
    description: 'Extension invocations ended by their deadline',
  });
  const pages = m.createHistogram('ameide.extension.memory.pages', {
    description: 'Guest memory high-water mark per invocation, in 64 KiB pages',
    unit: '{page}',
  });
  return {
    record(e) {
      const attrs: Attributes = { 'extension.name': e.extension, 'extension.version': e.version };
      duration.record(e.durationMs, { ...attrs, outcome: e.outcome });
      if (e.outcome !== 'ok') errors.add(1, { ...attrs, 'error.kind': e.outcome });
      if (e.outcome === 'EXTENSION_TIMEOUT') timeouts.add(1, attrs);
      if (e.memoryPages !== undefined) pages.record(e.memoryPages, attrs);
    },
  };
}
