import { InvalidArgumentError } from 'commander';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 3600 * 1000,
  d: 24 * 3600 * 1000,
};

/**
 * A duration flag (`500ms`, `90s`, `30m`, `12h`, `7d`) in milliseconds, as a
 * commander argument parser.
 *
 * @throws InvalidArgumentError for anything else, or zero.
 */
export function durationArg(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new InvalidArgumentError('must be a positive duration such as 90s, 30m, 12h or 7d');
  return ms;
}

/** The shortest exact form {@link durationArg} reads back (`604800000` → `7d`). */
export { formatDuration } from '@ameide/platform';
