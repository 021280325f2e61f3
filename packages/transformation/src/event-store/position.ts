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
  return { transactionId: BigInt(m[1]!), seq: BigInt(m[2]!) };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  return a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
}
