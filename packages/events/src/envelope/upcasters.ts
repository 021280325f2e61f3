import { AmeideError } from '@ameide/errors';
import { parseEventType, type EventEnvelope, type JsonValue } from './event-envelope.js';

/**
 * Turns the payload of one event type version into the next, e.g.
 * `sales.order.created.v1` → `v2`. Pure: no I/O, no clock.
 */
export interface Upcaster {
  /** The full type it reads, e.g. `sales.order.created.v1`; it produces the `.v<n+1>` type. */
  readonly from: string;
  upcast(payload: JsonValue, envelope: EventEnvelope): JsonValue;
}

/** Applies upcasters until an event has the newest schema its chain knows. */
export interface UpcasterChain {
  upcast(envelope: EventEnvelope): EventEnvelope;
}

/**
 * Builds a chain from single-step upcasters. An event is upcast step by step
 * (v1 → v2 → v3) so each upcaster stays small and old ones never change.
 *
 * @throws AmeideError `invalid_argument` for a malformed `from` type or two
 * upcasters for the same type.
 */
export function createUpcasterChain(upcasters: readonly Upcaster[]): UpcasterChain {
  const byType = new Map<string, Upcaster>();
  for (const u of upcasters) {
    parseEventType(u.from);
    if (byType.has(u.from))
      throw AmeideError.invalidArgument(`two upcasters read ${u.from}`, [
        { field: 'from', description: 'must be unique' },
      ]);
    byType.set(u.from, u);
  }
  return {
    upcast(envelope) {
      let current = envelope;
      for (let step = byType.get(current.type); step; step = byType.get(current.type)) {
        const { name, version } = parseEventType(current.type);
        current = {
          ...current,
          type: `${name}.v${version + 1}`,
          schemaVersion: version + 1,
          payload: step.upcast(current.payload, current),
        };
      }
      return current;
    },
  };
}
