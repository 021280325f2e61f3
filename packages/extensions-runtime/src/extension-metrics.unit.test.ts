import type { Meter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createExtensionMetrics } from '@ameide/extensions-runtime';

/** A meter that keeps what is recorded, by instrument name. */
function recordingMeter() {
  const recorded: Record<string, { value: number; attributes: unknown }[]> = {};
  const instrument = (name: string) => {
    const sink = (value: number, attributes: unknown) =>
      (recorded[name] ??= []).push({ value, attributes });
    return { record: sink, add: sink };
  };
  const meter = { createHistogram: instrument, createCounter: instrument } as unknown as Meter;
  return { meter, recorded };
}

describe('createExtensionMetrics', () => {
  it('records latency, errors by kind, timeouts and memory pages per extension', () => {
    const { meter, recorded } = recordingMeter();
    const m = createExtensionMetrics(meter);
    const ext = { extension: 'pricing', version: '1' };
    m.record({ ...ext, durationMs: 2, outcome: 'ok', memoryPages: 3 });
    m.record({ ...ext, durationMs: 200, outcome: 'EXTENSION_TIMEOUT', memoryPages: undefined });
    const attrs = { 'extension.name': 'pricing', 'extension.version': '1' };
    expect(recorded['ameide.extension.duration']).toEqual([
      { value: 2, attributes: { ...attrs, outcome: 'ok' } },
      { value: 200, attributes: { ...attrs, outcome: 'EXTENSION_TIMEOUT' } },
    ]);
    expect(recorded['ameide.extension.errors']).toEqual([
      { value: 1, attributes: { ...attrs, 'error.kind': 'EXTENSION_TIMEOUT' } },
    ]);
    expect(recorded['ameide.extension.timeouts']).toEqual([{ value: 1, attributes: attrs }]);
    expect(recorded['ameide.extension.memory.pages']).toEqual([{ value: 3, attributes: attrs }]);
  });
});
