import { AmeideError } from '@ameide/errors';
import { v7 as uuidv7 } from 'uuid';

/** JSON a payload may hold (bigints are not JSON: carry them as strings). */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One domain event. Domain code builds them through the unit of work; the
 * relay and the transports move them; consumers receive them (upcast to the
 * newest schema). The proto twin is `ameide.events.v1.EventEnvelope`, see
 * {@link envelopeToProto}.
 */
export interface EventEnvelope<P = JsonValue> {
  /** uuidv7: ids sort by creation time. Also the JetStream msgID and the inbox key. */
  readonly eventId: string;
  /** Sets the RLS context of every consumer. Not validated here: consumers dead-letter bad ones. */
  readonly tenantId: string;
  readonly domain: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** 1, 2, 3, ... per aggregate; order is guaranteed per (tenant, aggregate). */
  readonly aggregateVersion: bigint;
  /** `<domain>.<aggregate>.<event>.v<n>`, e.g. `sales.order.confirmed.v1`. */
  readonly type: string;
  /** The `n` of the type's `.v<n>` suffix. */
  readonly schemaVersion: number;
  readonly occurredAt: Date;
  readonly correlationId: string;
  readonly causationId: string | undefined;
  readonly payload: P;
}

const EVENT_TYPE = /^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)\.v([1-9][0-9]{0,3})$/;

/** The parts of an event type: `sales.order.confirmed.v2` → name `sales.order.confirmed`, version 2. */
export interface ParsedEventType {
  readonly name: string;
  readonly version: number;
}

/**
 * Splits an event type into its name and schema version.
 *
 * @throws AmeideError `invalid_argument` for a type without a `.v<n>` suffix
 * or with characters outside `[a-z0-9_.]`.
 */
export function parseEventType(type: string): ParsedEventType {
  const match = EVENT_TYPE.exec(type);
  if (!match) {
    throw AmeideError.invalidArgument(
      `event type ${JSON.stringify(type)} must look like <domain>.<aggregate>.<event>.v<n>`,
      [
        {
          field: 'type',
          description:
            'lower-case dotted name with a version suffix, e.g. sales.order.confirmed.v1',
        },
      ],
    );
  }
  return { name: match[1]!, version: Number(match[2]) };
}

/** A new uuidv7 event id. */
export function newEventId(): string {
  return uuidv7();
}
