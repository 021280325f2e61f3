import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFeelExpression } from '@ameide/process-definition';

describe('checkFeelExpression', () => {
  it.each([
    'amount > 100',
    '{ orderId: response.order.orderId, lines: [1, 2] }',
    'if approved then "yes" else "no"',
    'some line in lines satisfies line.quantity > 10',
    'count(remainingLines) > 0',
    'date("2026-01-01") + duration("P1D")',
    '["sales", "finance"]',
  ])('accepts %j', (source) => {
    expect(checkFeelExpression(source)).toEqual({ ok: true });
  });

  it.each([
    ['', 0, 0, 'empty'],
    ['amount >', 8, 8, 'incomplete'],
    ['{ orderId: }', 11, 12, "unexpected '}'"],
    [')', 0, 1, "unexpected ')'"],
    ['if x then 1', 11, 11, 'incomplete'],
  ])('reports %j at %i..%i', (source, start, end, message) => {
    const r = checkFeelExpression(source);
    expect(r).toMatchObject({ ok: false, start, end });
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('never throws and keeps positions inside the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (source) => {
        const r = checkFeelExpression(source);
        if (!r.ok) {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThanOrEqual(source.length);
          expect(r.start).toBeLessThanOrEqual(r.end);
        }
      }),
    );
  });
});
