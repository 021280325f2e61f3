import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AmeideError } from '@ameide/errors';
import { EventEnvelopeSchema, type EventEnvelope as EventEnvelopeProto } from '@ameide/proto';
import type { EventEnvelope, JsonValue } from './event-envelope.js';

const JSON_CONTENT_TYPE = 'application/json';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The proto message (`ameide.events.v1.EventEnvelope`) of an envelope. */
export function envelopeToProto(envelope: EventEnvelope): EventEnvelopeProto {
  return create(EventEnvelopeSchema, {
    eventId: envelope.eventId,
    tenantId: envelope.tenantId,
    domain: envelope.domain,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    aggregateVersion: envelope.aggregateVersion,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    occurredAt: timestampFromDate(envelope.occurredAt),
    correlationId: envelope.correlationId,
    causationId: envelope.causationId ?? '',
    payload: encoder.encode(JSON.stringify(envelope.payload)),
    payloadContentType: JSON_CONTENT_TYPE,
  });
}

/**
 * An envelope from its proto message. Checks the shape only (ids present,
 * version positive, JSON payload); the tenant id is checked by consumers, which
 * dead-letter bad ones instead of failing the transport.
 *
 * @throws AmeideError `invalid_argument` naming the field.
 */
export function envelopeFromProto(message: EventEnvelopeProto): EventEnvelope {
  const bad = (field: string, description: string): AmeideError =>
    AmeideError.invalidArgument(`malformed event envelope: ${field} ${description}`, [
      { field, description },
    ]);
  if (message.eventId === '') throw bad('event_id', 'is empty');
  if (message.aggregateId === '') throw bad('aggregate_id', 'is empty');
  if (message.type === '') throw bad('type', 'is empty');
  if (message.aggregateVersion < 1n) throw bad('aggregate_version', 'must be >= 1');
  if (message.occurredAt === undefined) throw bad('occurred_at', 'is missing');
  if (message.payloadContentType !== JSON_CONTENT_TYPE)
    throw bad('payload_content_type', `must be ${JSON_CONTENT_TYPE}`);
  let payload: JsonValue;
  try {
    payload = JSON.parse(decoder.decode(message.payload)) as JsonValue;
  } catch {
    throw bad('payload', 'is not UTF-8 JSON');
  }
  return {
    eventId: message.eventId,
    tenantId: message.tenantId,
    domain: message.domain,
    aggregateType: message.aggregateType,
    aggregateId: message.aggregateId,
    aggregateVersion: message.aggregateVersion,
    type: message.type,
    schemaVersion: message.schemaVersion,
    occurredAt: timestampDate(message.occurredAt),
    correlationId: message.correlationId,
    causationId: message.causationId === '' ? undefined : message.causationId,
    payload,
  };
}

/** The wire form (proto binary) of an envelope. */
export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return toBinary(EventEnvelopeSchema, envelopeToProto(envelope));
}

/**
 * An envelope from its wire form.
 *
 * @throws AmeideError `invalid_argument` when the bytes are not a well-formed envelope.
 */
export function decodeEnvelope(bytes: Uint8Array): EventEnvelope {
  let message: EventEnvelopeProto;
  try {
    message = fromBinary(EventEnvelopeSchema, bytes);
  } catch (error) {
    throw AmeideError.invalidArgument(
      'malformed event envelope: not an ameide.events.v1.EventEnvelope',
      [],
      { cause: error },
    );
  }
  return envelopeFromProto(message);
}
