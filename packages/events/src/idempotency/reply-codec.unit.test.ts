import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeReply, encodeReply } from '@ameide/events';

// Values as aggregate state holds them: JSON plus bigint, Date, bytes and
// optional members; keys may start with `$` (the codec's own tag prefix).
const stateValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('$bigint', '$date', '$object', '$x', '__proto__')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

describe('reply codec', () => {
  it('decodes exactly what it encoded, for any state value', () => {
    fc.assert(
      fc.property(stateValue, (value) => {
        expect(decodeReply(encodeReply(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps an order-like state: bigint amounts, dates, and drops undefined members', () => {
    const order = {
      orderId: 'o-1',
      paidMinor: 12_345_678_901_234_567_890n,
      createdAt: new Date('2026-12-01T08:00:00.000Z'),
      cancelReason: undefined,
      lines: [{ sku: 'A', quantity: 2, unitPriceMinor: 150n }],
    };
    const decoded = decodeReply<typeof order>(JSON.parse(encodeReply(order)) as object);
    expect(decoded).toEqual({ ...order, cancelReason: undefined });
    expect(Object.keys(decoded)).not.toContain('cancelReason');
    expect(decoded.createdAt).toBeInstanceOf(Date);
  });

  it('refuses what it cannot store', () => {
    expect(() => encodeReply({ f: () => 1 })).toThrow(/cannot store a function/);
  });
});
