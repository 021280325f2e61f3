import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const examples = fileURLToPath(new URL('../../../../examples/decisions', import.meta.url));

describe('ameide decision lint|evaluate (offline)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ameide-decision-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the examples lint clean; an overlapping UNIQUE table exits 1 naming the rules', async () => {
    const ok = await runCli([
      'decision',
      'lint',
      join(examples, 'order-discount.dmn'),
      join(examples, 'credit-risk.dmn'),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('order-discount.dmn: 0 error(s), 0 warning(s)');
    const broken = (await readFile(join(examples, 'order-discount.dmn'), 'utf8')).replace(
      '<text>&lt; 1000</text>',
      '<text>&lt;= 1000</text>',
    );
    const file = join(dir, 'broken.dmn');
    await writeFile(file, broken);
    const bad = await runCli(['decision', 'lint', file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      "error DMN007 [order-discount rules 1 and 2]: decision 'order-discount': rules 1 ('gold-large') and 2 ('gold-small') both match Customer tier = \"gold\", Order total = 1000",
    );
  });

  it('evaluates a file over a JSON context', async () => {
    const r = await runCli([
      'decision',
      'evaluate',
      join(examples, 'credit-risk.dmn'),
      '--context',
      '{"creditScore": 550, "amount": 60000, "hasOverdueInvoices": true}',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      decision: 'credit-risk',
      result: { riskClass: 'high', manualReview: true },
      matchedRules: { 'risk-points': ['low-score', 'large-amount', 'overdue'] },
    });
    const wrong = await runCli([
      'decision',
      'evaluate',
      join(examples, 'credit-risk.dmn'),
      '--context',
      '[1]',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('--context must be a JSON object of input values');
  });
});
