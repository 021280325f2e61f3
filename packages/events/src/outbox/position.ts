import { AmeideError } from '@ameide/errors';

/**
 * A place in a domain's event log: the committing transaction's id (xid8) and
 * the row's sequence number. Sequence values commit out of order, so a reader
 * that remembers the last sequence skips rows that commit late. The pair,
 * read only below the oldest running transaction (`pg_snapshot_xmin`), does
 * not: every transaction with a smaller id has ended, so no row can still
 * appear before a checkpointed pair (ARCHITECTURE.md, "Outbox ordering";
 * `log-position.int.test.ts`).
 */
export interface LogPosition {
  readonly transactionId: bigint;
  readonly seq: bigint;
}

/** Largest transaction id (`xid8`, unsigned 64 bits) and sequence number (`bigint`). */
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/** Before the first event. */
export const LOG_START: LogPosition = { transactionId: 0n, seq: 0n };

/** `a` before `b`: -1, same: 0, after: 1. */
export function comparePositions(a: LogPosition, b: LogPosition): -1 | 0 | 1 {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** `<transactionId>:<seq>`, e.g. for a CLI flag or a log line. */
export function formatPosition(p: LogPosition): string {
  return `${p.transactionId}:${p.seq}`;
}

/**
 * Reads {@link formatPosition}'s form.
 *
 * @throws AmeideError `invalid_argument` naming `field`.
 */
export function parsePosition(text: string, field = 'position'): LogPosition {
  const m = /^(\d{1,20}):(\d{1,19})$/.exec(text);
  if (!m)
    throw AmeideError.invalidArgument(`${field} must be <transaction id>:<seq>`, [
      { field, description: 'e.g. 7421:118' },
    ]);
  const position = { transactionId: BigInt(m[1]!), seq: BigInt(m[2]!) };
  // Postgres would refuse the values itself, as an error the caller cannot tell from an outage.
  if (position.transactionId > MAX_XID8 || position.seq > MAX_BIGINT)
    throw AmeideError.invalidArgument(`${field} is out of range`, [
      { field, description: `transaction id at most ${MAX_XID8}, seq at most ${MAX_BIGINT}` },
    ]);
  return position;
}
