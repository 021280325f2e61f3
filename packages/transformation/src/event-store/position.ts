import { AmeideError } from '@ameide/errors';

/**
 * A global position in the event log: the writing transaction's id (xid8) and
 * the event's sequence number. Readers order by the pair and checkpoint the
 * pair, never the sequence alone (sequence values commit out of order).
 */
export interface Position {
  readonly transactionId: bigint;
  readonly seq: bigint;
}

/** Largest transaction id (`xid8`, unsigned 64 bits) and sequence number (`bigint`). */
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

/** Before the first event. */
export const START: Position = { transactionId: 0n, seq: 0n };

/** `"<transactionId>:<seq>"`, the opaque form clients see. */
export function encodePosition(p: Position): string {
  return `${p.transactionId}:${p.seq}`;
}

/** Parses an opaque position; empty means {@link START}. */
export function decodePosition(value: string, field = 'after_position'): Position {
  if (value === '') return START;
  const m = /^(\d{1,20}):(\d{1,20})$/.exec(value);
  if (!m) {
    throw AmeideError.invalidArgument(`${field} is not a position`, [
      { field, description: 'expected "<transaction>:<sequence>" as returned by the API' },
    ]);
  }
  const position = { transactionId: BigInt(m[1]!), seq: BigInt(m[2]!) };
  // Postgres would refuse the values itself, as an error the caller cannot tell from an outage.
  if (position.transactionId > MAX_XID8 || position.seq > MAX_BIGINT) {
    throw AmeideError.invalidArgument(`${field} is out of range`, [
      { field, description: `transaction id at most ${MAX_XID8}, sequence at most ${MAX_BIGINT}` },
    ]);
  }
  return position;
}

export function comparePositions(a: Position, b: Position): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
}
