/**
 * ISO 8601 parsing for BPMN timers, user task due dates, timeouts and retry intervals.
 * Pure (no `Date.now()`), so the workflow sandbox can use it.
 */

/** The components of an ISO 8601 duration (`P1Y2M3W4DT5H6M7.5S`). */
export interface IsoDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** A parsed timer value, as the process runtime needs it. */
export type ParsedTimer =
  | { readonly type: 'duration'; readonly duration: IsoDuration }
  | { readonly type: 'date'; readonly epochMs: number }
  | {
      readonly type: 'cycle';
      /** `null` for an unbounded cycle (`R/PT1H`). */
      readonly repetitions: number | null;
      /** First firing, when the cycle names a start date. */
      readonly startEpochMs?: number;
      readonly interval: IsoDuration;
    };

export type IsoParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly start: number; readonly end: number };

const DURATION =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

function fail<T>(message: string, start: number, end: number): IsoParseResult<T> {
  return { ok: false, message, start, end };
}

/** Parses an ISO 8601 duration such as `PT15M`, `P2D` or `P1DT12H`. */
export function parseIsoDuration(text: string, offset = 0): IsoParseResult<IsoDuration> {
  const end = offset + text.length;
  if (!text.startsWith('P'))
    return fail(`duration must start with 'P' (e.g. PT15M), got '${text}'`, offset, end);
  const m = DURATION.exec(text);
  if (!m)
    return fail(`'${text}' is not an ISO 8601 duration (e.g. PT15M, P2D, P1DT12H)`, offset, end);
  if (text === 'P' || text.endsWith('T')) {
    return fail(`duration '${text}' names no amount (e.g. PT15M)`, offset, end);
  }
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i].replace(',', '.')));
  return {
    ok: true,
    value: {
      years: n(1),
      months: n(2),
      weeks: n(3),
      days: n(4),
      hours: n(5),
      minutes: n(6),
      seconds: n(7),
    },
  };
}

/**
 * Milliseconds of a duration without calendar parts, or `undefined` when it has years or
 * months (their length depends on the date they are added to).
 */
export function durationToMilliseconds(d: IsoDuration): number | undefined {
  if (d.years !== 0 || d.months !== 0) return undefined;
  const seconds = ((d.weeks * 7 + d.days) * 24 + d.hours) * 3600 + d.minutes * 60 + d.seconds;
  return Math.round(seconds * 1000);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses an ISO 8601 date-time with a zone (`2026-03-01T09:00:00Z`, `...+01:00`) to epoch ms. */
export function parseIsoDateTime(text: string, offset = 0): IsoParseResult<number> {
  const end = offset + text.length;
  const m = DATE_TIME.exec(text);
  if (!m) {
    return fail(`'${text}' is not an ISO 8601 date-time (e.g. 2026-03-01T09:00:00Z)`, offset, end);
  }
  if (m[8] === undefined) {
    return fail(
      `date-time '${text}' has no zone: add 'Z' or an offset such as +01:00`,
      offset,
      end,
    );
  }
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month! < 1 || month! > 12)
    return fail(`month ${month} is out of range in '${text}'`, offset + 5, offset + 7);
  const daysInMonth = new Date(Date.UTC(year!, month, 0)).getUTCDate();
  if (day! < 1 || day! > daysInMonth)
    return fail(`day ${day} is out of range in '${text}'`, offset + 8, offset + 10);
  if (hour! > 23 || minute! > 59 || second > 59)
    return fail(`time is out of range in '${text}'`, offset + 11, end);
  let zoneMinutes = 0;
  if (m[8] !== 'Z') {
    const sign = m[8].startsWith('-') ? -1 : 1;
    const zh = Number(m[8].slice(1, 3));
    const zm = Number(m[8].slice(4, 6));
    if (zh > 14 || zm > 59) return fail(`zone offset ${m[8]} is out of range`, end - 6, end);
    zoneMinutes = sign * (zh * 60 + zm);
  }
  const epoch = Date.UTC(year!, month! - 1, day, hour, minute, second, ms) - zoneMinutes * 60_000;
  return { ok: true, value: epoch };
}

/**
 * Parses an ISO 8601 repeating interval: `R3/PT1H`, `R/P1D` (unbounded) or
 * `R5/2026-03-01T09:00:00Z/P1D` (with a start). Cron expressions are not supported.
 */
export function parseIsoCycle(
  text: string,
  offset = 0,
): IsoParseResult<Extract<ParsedTimer, { type: 'cycle' }>> {
  const end = offset + text.length;
  const parts = text.split('/');
  const head = parts[0] ?? '';
  if (!/^R\d*$/.test(head)) {
    return fail(
      `'${text}' is not an ISO 8601 cycle: expected R<n>/<duration> (e.g. R3/PT1H); cron is not supported`,
      offset,
      offset + Math.max(head.length, 1),
    );
  }
  const repetitions = head.length > 1 ? Number(head.slice(1)) : null;
  if (parts.length === 2) {
    const d = parseIsoDuration(parts[1]!, offset + head.length + 1);
    if (!d.ok) return d;
    if (durationToMilliseconds(d.value) === 0)
      return fail(`cycle interval must be longer than zero`, offset, end);
    return { ok: true, value: { type: 'cycle', repetitions, interval: d.value } };
  }
  if (parts.length === 3) {
    const startOffset = offset + head.length + 1;
    const s = parseIsoDateTime(parts[1]!, startOffset);
    if (!s.ok) return s;
    const d = parseIsoDuration(parts[2]!, startOffset + parts[1]!.length + 1);
    if (!d.ok) return d;
    if (durationToMilliseconds(d.value) === 0)
      return fail(`cycle interval must be longer than zero`, offset, end);
    return {
      ok: true,
      value: { type: 'cycle', repetitions, startEpochMs: s.value, interval: d.value },
    };
  }
  return fail(
    `'${text}' is not an ISO 8601 cycle: expected R<n>/<duration> or R<n>/<start>/<duration>`,
    offset,
    end,
  );
}

/** Parses a timer of the given type. */
export function parseTimer(
  type: 'duration' | 'date' | 'cycle',
  value: string,
): IsoParseResult<ParsedTimer> {
  if (value.trim() !== value || value === '') {
    return fail(
      `timer value '${value}' must be non-empty and have no surrounding spaces`,
      0,
      value.length,
    );
  }
  switch (type) {
    case 'duration': {
      const d = parseIsoDuration(value);
      return d.ok ? { ok: true, value: { type, duration: d.value } } : d;
    }
    case 'date': {
      const d = parseIsoDateTime(value);
      return d.ok ? { ok: true, value: { type, epochMs: d.value } } : d;
    }
    case 'cycle':
      return parseIsoCycle(value);
  }
}
