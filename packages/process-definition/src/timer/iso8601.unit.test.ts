import { describe, expect, it } from 'vitest';
import { durationToMilliseconds, parseIsoDuration, parseTimer } from '@ameide/process-definition';

describe('ISO 8601 timers', () => {
  it.each([
    ['PT15M', 900_000],
    ['PT1.5S', 1500],
    ['P2D', 172_800_000],
    ['P1W', 604_800_000],
    ['P1DT12H', 129_600_000],
    ['PT0S', 0],
  ])('duration %s is %i ms', (text, ms) => {
    const d = parseIsoDuration(text);
    expect(d.ok && durationToMilliseconds(d.value)).toBe(ms);
  });

  it('keeps calendar durations without a fixed length', () => {
    const d = parseIsoDuration('P1Y2M');
    expect(d.ok && d.value).toMatchObject({ years: 1, months: 2 });
    expect(d.ok && durationToMilliseconds(d.value)).toBeUndefined();
  });

  it.each([
    ['duration', 'P', 'names no amount'],
    ['duration', 'PT', 'names no amount'],
    ['duration', '15M', "must start with 'P'"],
    ['duration', 'P1H', 'not an ISO 8601 duration'],
    ['date', '2026-02-30T10:00:00Z', 'day 30 is out of range'],
    ['date', '2026-02-01T10:00:00', 'has no zone'],
    ['date', 'tomorrow', 'not an ISO 8601 date-time'],
    ['cycle', '0 0 9 * * ?', 'cron is not supported'],
    ['cycle', 'R3/PT0S', 'longer than zero'],
    ['cycle', 'R3/P1X', 'not an ISO 8601 duration'],
    ['duration', ' PT1M', 'surrounding spaces'],
  ] as const)('%s %j is refused: %s', (type, value, message) => {
    const r = parseTimer(type, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('parses dates with zones and cycles with and without a start', () => {
    expect(parseTimer('date', '2026-03-01T09:00:00+01:00')).toEqual({
      ok: true,
      value: { type: 'date', epochMs: Date.UTC(2026, 2, 1, 8) },
    });
    expect(parseTimer('cycle', 'R3/PT1H')).toMatchObject({
      ok: true,
      value: { repetitions: 3, interval: { hours: 1 } },
    });
    expect(parseTimer('cycle', 'R/2026-01-01T00:00:00Z/P1D')).toMatchObject({
      ok: true,
      value: { repetitions: null, startEpochMs: Date.UTC(2026, 0, 1), interval: { days: 1 } },
    });
  });

  it('points at the failing part of a cycle', () => {
    const r = parseTimer('cycle', 'R5/2026-01-01T00:00:00Z/PX');
    expect(r).toMatchObject({ ok: false, start: 24, end: 26 });
  });
});
