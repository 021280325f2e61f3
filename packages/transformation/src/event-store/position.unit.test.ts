import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { decodePosition } from '@ameide/transformation';

describe('decodePosition', () => {
  it('reads the largest xid8 and bigint', () => {
    expect(decodePosition('18446744073709551615:9223372036854775807')).toEqual({
      transactionId: 2n ** 64n - 1n,
      seq: 2n ** 63n - 1n,
    });
  });

  it.each(['18446744073709551616:0', '99999999999999999999:99999999999999999999'])(
    'refuses %s as out of range, naming after_position',
    (text) => {
      let caught: unknown;
      try {
        decodePosition(text);
      } catch (err) {
        caught = err;
      }
      expect(isAmeideError(caught) && caught.code).toBe('invalid_argument');
      expect(isAmeideError(caught) && caught.fieldViolations[0]?.field).toBe('after_position');
    },
  );
});
