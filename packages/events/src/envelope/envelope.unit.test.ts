import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  createUpcasterChain,
  decodeEnvelope,
  encodeEnvelope,
  envelopeFromProto,
  envelopeToProto,
  newEventId,
  parseEventType,
  type EventEnvelope,
} from '@ameide/events';

const event: EventEnvelope = {
  eventId: newEventId(),
  tenantId: 'acme',
  domain: 'sales',
  aggregateType: 'order',
  aggregateId: 'o-1',
  aggregateVersion: 3n,
  type: 'sales.order.confirmed.v1',
  schemaVersion: 1,
  occurredAt: new Date('2026-01-02T03:04:05.678Z'),
  correlationId: 'req-1',
  causationId: undefined,
  payload: { total: { currency: 'EUR', amountMinor: '1999' }, lines: [1, 2] },
};

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (isAmeideError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('event envelope', () => {
  it('round-trips through the proto message and its binary wire form', () => {
    expect(envelopeFromProto(envelopeToProto(event))).toEqual(event);
    expect(decodeEnvelope(encodeEnvelope(event))).toEqual(event);
    const withCause = { ...event, causationId: 'cmd-9' };
    expect(decodeEnvelope(encodeEnvelope(withCause)).causationId).toBe('cmd-9');
  });

  it('makes uuidv7 ids that sort by creation', () => {
    const ids = Array.from({ length: 50 }, () => newEventId());
    expect(
      ids.every((id) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id),
      ),
    ).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses bytes that are not an envelope, and envelopes missing required fields, naming the field', () => {
    expect(refusal(() => decodeEnvelope(new Uint8Array([0xff, 0xff, 0xff]))).code).toBe(
      'invalid_argument',
    );
    const noId = envelopeToProto(event);
    noId.eventId = '';
    expect(refusal(() => envelopeFromProto(noId)).fieldViolations[0]?.field).toBe('event_id');
    const badPayload = envelopeToProto(event);
    badPayload.payload = new TextEncoder().encode('{not json');
    expect(refusal(() => envelopeFromProto(badPayload)).fieldViolations[0]?.field).toBe('payload');
  });

  it('parses event types with their version suffix and refuses types without one', () => {
    expect(parseEventType('sales.order.line_added.v12')).toEqual({
      name: 'sales.order.line_added',
      version: 12,
    });
    expect(refusal(() => parseEventType('sales.order.confirmed')).fieldViolations[0]?.field).toBe(
      'type',
    );
    expect(refusal(() => parseEventType('Sales.Order.v1')).code).toBe('invalid_argument');
  });
});

describe('upcasters', () => {
  const chain = createUpcasterChain([
    { from: 'sales.order.created.v1', upcast: (p) => ({ ...(p as object), currency: 'EUR' }) },
    { from: 'sales.order.created.v2', upcast: (p) => ({ order: p }) },
  ]);
  const v1: EventEnvelope = {
    ...event,
    type: 'sales.order.created.v1',
    payload: { customerId: 'c-1' },
  };

  it('lifts an old event step by step to the newest schema', () => {
    const newest = chain.upcast(v1);
    expect(newest).toMatchObject({
      type: 'sales.order.created.v3',
      schemaVersion: 3,
      payload: { order: { customerId: 'c-1', currency: 'EUR' } },
    });
    expect(newest.eventId).toBe(v1.eventId);
  });

  it('leaves events of the newest schema and of other types alone', () => {
    const v3 = { ...v1, type: 'sales.order.created.v3', schemaVersion: 3 };
    expect(chain.upcast(v3)).toBe(v3);
    expect(chain.upcast(event)).toBe(event);
  });

  it('refuses two upcasters for the same type', () => {
    expect(() =>
      createUpcasterChain([
        { from: 'a.b.v1', upcast: (p) => p },
        { from: 'a.b.v1', upcast: (p) => p },
      ]),
    ).toThrow(/two upcasters/);
  });
});
