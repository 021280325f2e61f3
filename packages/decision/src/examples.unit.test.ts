import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileDecision, evaluateDecision } from '@ameide/decision';

const dir = join(import.meta.dirname, '../../../examples/decisions');
const examples = readdirSync(dir).filter((f) => f.endsWith('.dmn'));

describe('examples/decisions', () => {
  test('there are examples', () => {
    expect(examples).toEqual(expect.arrayContaining(['order-discount.dmn', 'credit-risk.dmn']));
  });

  for (const file of examples) {
    test(`${file} compiles without findings, to the same hash twice`, async () => {
      const xml = readFileSync(join(dir, file), 'utf8');
      const a = await compileDecision(xml);
      const b = await compileDecision(xml);
      expect(a.diagnostics).toEqual([]);
      if (!a.ok || !b.ok) throw new Error('not compiled');
      expect(a.hash).toBe(b.hash);
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  test('order-discount: UNIQUE over tier and total', async () => {
    const r = await compileDecision(readFileSync(join(dir, 'order-discount.dmn'), 'utf8'));
    if (!r.ok) throw new Error('not compiled');
    const discount = (tier: string, total: number) =>
      evaluateDecision(r.plan, { tier, total }).value;
    expect([discount('gold', 1000), discount('gold', 999.99), discount('silver', 5000)]).toEqual([
      15, 10, 5,
    ]);
    expect([discount('silver', 10), discount('bronze', 1e6), discount('platinum', 10)]).toEqual([
      2,
      0,
      null,
    ]);
  });

  test('credit-risk: a COLLECT SUM decision required by a PRIORITY decision', async () => {
    const r = await compileDecision(readFileSync(join(dir, 'credit-risk.dmn'), 'utf8'));
    if (!r.ok) throw new Error('not compiled');
    expect(r.plan.defaultDecision).toBe('credit-risk');
    const risk = (creditScore: number, amount: number, hasOverdueInvoices: boolean) =>
      evaluateDecision(r.plan, { creditScore, amount, hasOverdueInvoices });
    expect(risk(750, 1000, false).value).toEqual({ riskClass: 'low', manualReview: false });
    expect(risk(650, 60000, false).value).toEqual({ riskClass: 'medium', manualReview: false });
    const high = risk(550, 60000, true);
    expect(high.value).toEqual({ riskClass: 'high', manualReview: true });
    expect(high.matchedRules).toEqual({
      'risk-points': ['low-score', 'large-amount', 'overdue'],
      'credit-risk': ['points-high'],
    });
    expect(
      evaluateDecision(
        r.plan,
        { creditScore: 550, amount: 0, hasOverdueInvoices: false },
        { decision: 'risk-points' },
      ).value,
    ).toBe(40);
  });
});
