import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { parsePosition } from '@ameide/events';

function refusal(text: string) {
  try {
    parsePosition(text, 'after_position');
  } catch (err) {
    if (isAmeideError(err)) return err;
    throw err;
  }
  throw new Error(`${text} was accepted`);
}

describe('parsePosition', () => {
  it('reads the largest xid8 and bigint', () => {
    expect(parsePosition('18446744073709551615:9223372036854775807')).toEqual({
      transactionId: 2n ** 64n - 1n,
      seq: 2n ** 63n - 1n,
    });
  });

  it.each(['18446744073709551616:1', '99999999999999999999:1', '1:9223372036854775808'])(
    'refuses %s as out of range, naming the field',
    (text) => {
      const err = refusal(text);
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe('after_position is out of range');
      expect(err.fieldViolations[0]?.field).toBe('after_position');
    },
  );
});

describe('parsePosition (positions of the transformation log, kept from its own test)', () => {
  it.each(['18446744073709551616:0', '99999999999999999999:99999999999999999999', 'abc', '1:'])(
    'refuses %s, naming after_position',
    (text) => {
      const err = refusal(text);
      expect(err.code).toBe('invalid_argument');
      expect(err.fieldViolations[0]?.field).toBe('after_position');
    },
  );
});
