import { describe, expect, it } from 'vitest';
import { rejectionOf } from '@ameide/errors/testing';
import { substituteFixtures, substituteInRequest } from './sandbox-input.js';

const answers = [{ customer: { customerId: 'c-1', tags: ['a'] } }, { order: { total: 12 } }];

describe('substituteFixtures', () => {
  it('replaces placeholders by the fixture answers: strings as is, other values as JSON', () => {
    expect(
      substituteFixtures(
        'order for {{fixture.0.customer.customerId}} ({{ fixture.0.customer.tags }}), total {{fixture.1.order.total}}',
        answers,
      ),
    ).toBe('order for c-1 (["a"]), total 12');
    expect(substituteFixtures('no placeholders', [])).toBe('no placeholders');
  });

  it('refuses a placeholder naming no fixture or no value, on input', async () => {
    for (const [input, says] of [
      ['{{fixture.2.customer}}', 'are 2 fixture calls'],
      ['{{fixture.0.customer.name}}', 'nothing at customer.name'],
      ['{{fixture.0.customer.customerId.x}}', 'nothing at customer.customerId.x'],
    ] as const) {
      const err = await rejectionOf(
        Promise.resolve().then(() => substituteFixtures(input, answers)),
      );
      expect(err.code).toBe('invalid_argument');
      expect(err.fieldViolations[0]).toMatchObject({ field: 'input' });
      expect(err.fieldViolations[0]!.description).toContain(says);
    }
  });

  it("fills a fixture call's request from the answers before it, naming the fixture on error", async () => {
    expect(
      substituteInRequest(
        { customerId: '{{fixture.0.customer.customerId}}', lines: [{ qty: 2, note: 'x' }] },
        answers,
        'fixtures[2].request',
      ),
    ).toEqual({ customerId: 'c-1', lines: [{ qty: 2, note: 'x' }] });
    const err = await rejectionOf(
      Promise.resolve().then(() =>
        substituteInRequest({ id: '{{fixture.5.x}}' }, answers, 'fixtures[2].request'),
      ),
    );
    expect(err.fieldViolations[0]).toMatchObject({ field: 'fixtures[2].request' });
  });
});
