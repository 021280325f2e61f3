import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileDecision, lintDecision, type DecisionDiagnostic } from '@ameide/decision';
import { tableXml, type TableSpec } from '../testing/dmn-xml.js';

const codes = (d: readonly DecisionDiagnostic[]) => d.map((x) => x.code);
const lint = async (spec: TableSpec) => (await lintDecision(tableXml(spec))).diagnostics;

describe('decision lint', () => {
  test('UNIQUE: overlapping rules are an error naming both rules and a shared input', async () => {
    const d = await lint({
      hitPolicy: 'UNIQUE',
      inputs: [{ expression: 'total', label: 'Order total' }],
      outputs: [{ name: 'v' }],
      rules: [
        { id: 'up-to-100', inputEntries: ['<= 100'], outputEntries: ['1'] },
        { id: 'from-100', inputEntries: ['>= 100'], outputEntries: ['2'] },
      ],
    });
    const overlap = d.find((x) => x.code === 'DMN007');
    expect(overlap?.severity).toBe('error');
    expect(overlap?.message).toBe(
      "decision 'd': rules 1 ('up-to-100') and 2 ('from-100') both match Order total = 100; hit policy UNIQUE allows one matching rule",
    );
  });

  test('UNIQUE: adjacent half-open ranges do not overlap and leave no gap', async () => {
    const d = await lint({
      hitPolicy: 'UNIQUE',
      inputs: [{ expression: 'total' }],
      outputs: [{ name: 'v' }],
      rules: [
        { inputEntries: ['< 100'], outputEntries: ['1'] },
        { inputEntries: ['[100..500)'], outputEntries: ['2'] },
        { inputEntries: ['>= 500'], outputEntries: ['3'] },
      ],
    });
    expect(d).toEqual([]);
  });

  test('ANY: overlaps are an error only when the outputs differ', async () => {
    const spec = (second: string): TableSpec => ({
      hitPolicy: 'ANY',
      inputs: [{ expression: 'x' }],
      outputs: [{ name: 'v' }],
      rules: [
        { inputEntries: ['> 1'], outputEntries: ['"yes"'] },
        { inputEntries: ['> 5'], outputEntries: [second] },
        { inputEntries: ['<= 1'], outputEntries: ['"no"'] },
      ],
    });
    expect(codes(await lint(spec('"yes"')))).toEqual([]);
    const d = await lint(spec('"maybe"'));
    expect(codes(d)).toEqual(['DMN007']);
    expect(d[0]!.message).toMatch(/with different outputs; hit policy ANY needs equal outputs/);
  });

  test('FIRST and COLLECT allow overlaps', async () => {
    for (const hitPolicy of ['FIRST', 'COLLECT', 'RULE ORDER']) {
      const d = await lint({
        hitPolicy,
        inputs: [{ expression: 'x' }],
        outputs: [{ name: 'v' }],
        rules: [
          { inputEntries: ['-'], outputEntries: ['1'] },
          { inputEntries: ['> 5'], outputEntries: ['2'] },
        ],
      });
      expect(codes(d)).toEqual([]);
    }
  });

  test('gaps of numeric ranges and enumerated strings are warnings naming the inputs', async () => {
    const d = await lint({
      hitPolicy: 'UNIQUE',
      inputs: [
        { expression: 'tier', label: 'Tier', inputValues: '"gold","silver","bronze"' },
        { expression: 'total', label: 'Total', inputValues: '[0..10000]' },
      ],
      outputs: [{ name: 'v' }],
      rules: [
        { inputEntries: ['"gold"', '-'], outputEntries: ['1'] },
        { inputEntries: ['"silver"', '< 1000'], outputEntries: ['2'] },
        { inputEntries: ['"silver"', '> 1000'], outputEntries: ['3'] },
      ],
    });
    expect(d.every((x) => x.code === 'DMN008' && x.severity === 'warning')).toBe(true);
    const messages = d.map((x) => x.message);
    expect(messages).toContain(
      'decision \'d\': no rule matches Tier = "silver", Total = 1000; the decision gives null there (add a rule or a default output)',
    );
    expect(messages.some((m) => m.includes('Tier = "bronze"'))).toBe(true);
  });

  test('a string input without input values has a gap for any other string; a default output closes it', async () => {
    const spec: TableSpec = {
      hitPolicy: 'UNIQUE',
      inputs: [{ expression: 'tier' }],
      outputs: [{ name: 'v' }],
      rules: [{ inputEntries: ['"gold"'], outputEntries: ['1'] }],
    };
    expect((await lint(spec)).map((x) => x.message)).toEqual([
      "decision 'd': no rule matches tier = any other string; the decision gives null there (add a rule or a default output)",
    ]);
    expect(await lint({ ...spec, outputs: [{ name: 'v', defaultOutputEntry: '0' }] })).toEqual([]);
  });

  test('invalid FEEL names the rule and column', async () => {
    const d = await lint({
      hitPolicy: 'FIRST',
      inputs: [{ expression: 'total', label: 'Total' }],
      outputs: [{ name: 'discount' }],
      rules: [
        { id: 'ok', inputEntries: ['> 10'], outputEntries: ['5'] },
        { id: 'broken', inputEntries: ['> 10 +'], outputEntries: ['5 *'] },
      ],
    });
    expect(d.map((x) => [x.code, x.ruleId, x.location])).toEqual([
      ['DMN004', 'broken', "rule 2 ('broken') input 1 (Total)"],
      ['DMN004', 'broken', "rule 2 ('broken') output 1 (discount)"],
    ]);
    expect(d[0]!.message).toMatch(
      /^decision 'd' rule 2 \('broken'\) input 1 \(Total\): '> 10 \+' is not valid FEEL unary tests/,
    );
  });

  test('unknown names in input expressions and entries are errors when the model declares its inputs', async () => {
    const d = await lint({
      hitPolicy: 'FIRST',
      inputs: [{ expression: 'totl' }],
      outputs: [{ name: 'v' }],
      rules: [{ id: 'r', inputEntries: ['< limit'], outputEntries: ['total * rate'] }],
      inputData: ['total', 'limit'],
    });
    expect(d.map((x) => [x.code, x.message])).toEqual([
      [
        'DMN005',
        "decision 'd' input 1 (totl): 'totl' is not an input of the decision (known: limit, total)",
      ],
      [
        'DMN005',
        "decision 'd' rule 1 ('r') output 1 (v): 'rate' is not an input of the decision (known: limit, total)",
      ],
    ]);
    // Without declared inputs the check needs the caller's names.
    const undeclared = tableXml({
      hitPolicy: 'FIRST',
      inputs: [{ expression: 'totl' }],
      outputs: [{ name: 'v' }],
      rules: [{ inputEntries: ['-'], outputEntries: ['1'] }],
    });
    expect(codes((await lintDecision(undeclared)).diagnostics)).toEqual([]);
    expect(codes((await lintDecision(undeclared, { knownInputs: ['total'] })).diagnostics)).toEqual(
      ['DMN005'],
    );
  });

  test('hit policy, aggregation, output names and output values', async () => {
    const base: TableSpec = {
      hitPolicy: 'PRIORITY',
      inputs: [{ expression: 'x' }],
      outputs: [{ name: 'v' }],
      rules: [{ inputEntries: ['-'], outputEntries: ['"high"'] }],
    };
    expect((await lint({ ...base, hitPolicy: 'SOMETIMES' }))[0]!.message).toBe(
      "decision 'd': hit policy 'SOMETIMES' is not one of UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER, OUTPUT ORDER",
    );
    expect((await lint({ ...base, hitPolicy: 'FIRST', aggregation: 'SUM' }))[0]!.message).toBe(
      "decision 'd': aggregation SUM needs hit policy COLLECT, not FIRST",
    );
    expect(
      (
        await lint({
          ...base,
          hitPolicy: 'COLLECT',
          aggregation: 'SUM',
          outputs: [{ name: 'a' }, { name: 'b' }],
          rules: [],
        })
      )[0]!.message,
    ).toBe("decision 'd': aggregation SUM needs exactly one output; the table has 2");
    expect(codes(await lint(base))).toEqual(['DMN011']);
    expect(
      (await lint({ ...base, outputs: [{ name: 'v', outputValues: '"medium","low"' }] }))[0]!
        .message,
    ).toBe(
      'decision \'d\' rule 1 (\'r0\') output 1 (v): "high" is not one of the output values "medium", "low"',
    );
    expect(
      (
        await lint({
          ...base,
          hitPolicy: 'FIRST',
          outputs: [{ name: 'v' }, {}],
          rules: [{ inputEntries: ['-'], outputEntries: ['1', '2'] }],
        })
      )[0]!.message,
    ).toBe("decision 'd' output 2 ('o1') has no name; a table with several outputs names each");
    expect(
      (
        await lint({
          ...base,
          hitPolicy: 'FIRST',
          rules: [{ id: 'short', inputEntries: [], outputEntries: ['1'] }],
        })
      )[0]!.message,
    ).toBe(
      "decision 'd' rule 1 ('short') has 0 input and 1 output entries; the table has 1 inputs and 1 outputs",
    );
  });

  test('XML that is not DMN 1.3 is one clear error', async () => {
    expect((await lintDecision('<definitions/>')).diagnostics[0]!.message).toMatch(
      /^not DMN 1\.3 XML/,
    );
    const dmn11 =
      '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="x"><decision id="a"/></definitions>';
    expect((await lintDecision(dmn11)).diagnostics[0]!.message).toMatch(
      /older DMN namespace; Ameide reads DMN 1\.3/,
    );
    expect((await compileDecision('')).ok).toBe(false);
  });

  test('required decisions that do not exist or form a cycle are errors', async () => {
    const xml = `<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x" namespace="n">
      <decision id="a" name="a"><informationRequirement id="q1"><requiredDecision href="#b"/></informationRequirement><literalExpression id="la"><text>b + 1</text></literalExpression></decision>
      <decision id="b" name="b"><informationRequirement id="q2"><requiredDecision href="#a"/></informationRequirement><informationRequirement id="q3"><requiredDecision href="#zz"/></informationRequirement><literalExpression id="lb"><text>a</text></literalExpression></decision>
    </definitions>`;
    const messages = (await lintDecision(xml)).diagnostics.map((d) => d.message);
    expect(messages).toContain(
      "decision 'b' requires decision 'zz', which the model does not have",
    );
    expect(messages).toContain("decision 'a' requires itself through its required decisions");
  });
});

// The overlap and gap checks against brute force: integer bounds in -5..11, so every cell of the
// number line has a point on the half-step grid -7, -6.5, ..., 13.
const boundArb = fc.integer({ min: -5, max: 5 });
const entryArb = fc.oneof(
  fc.constant('-'),
  fc
    .tuple(fc.constantFrom('<', '<=', '>', '>=', ''), boundArb)
    .map(([op, n]) => (op ? `${op} ${n}` : String(n))),
  fc
    .tuple(
      boundArb,
      fc.integer({ min: 0, max: 6 }),
      fc.constantFrom('[', '(', ']'),
      fc.constantFrom(']', ')', '['),
    )
    .map(([a, d, l, r]) => `${l}${a}..${a + d}${r}`),
);
const grid = Array.from({ length: 41 }, (_, i) => -7 + i / 2);

function holdsAt(entry: string, x: number): boolean {
  if (entry === '-') return true;
  const cmp = /^(<=|>=|<|>)?\s*(-?\d+)$/.exec(entry);
  if (cmp) {
    const n = Number(cmp[2]);
    return { '<': x < n, '<=': x <= n, '>': x > n, '>=': x >= n, '': x === n }[cmp[1] ?? '']!;
  }
  const m = /^([[(\]])(-?\d+)\.\.(-?\d+)([\])[])$/.exec(entry)!;
  const [a, b] = [Number(m[2]), Number(m[3])];
  return (m[1] === '[' ? x >= a : x > a) && (m[4] === ']' ? x <= b : x < b);
}

test('overlap (UNIQUE) and gap findings agree with a brute-force search over the inputs', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2 }).chain((n) =>
        fc.array(fc.array(entryArb, { minLength: n, maxLength: n }), {
          minLength: 1,
          maxLength: 5,
        }),
      ),
      async (rules) => {
        const n = rules[0]!.length;
        const d = await lint({
          hitPolicy: 'UNIQUE',
          inputs: Array.from({ length: n }, (_, i) => ({ expression: `x${i}` })),
          outputs: [{ name: 'v' }],
          rules: rules.map((inputEntries, k) => ({ inputEntries, outputEntries: [String(k)] })),
        });
        const points =
          n === 1 ? grid.map((x) => [x]) : grid.flatMap((x) => grid.map((y) => [x, y]));
        const matching = (p: number[]) =>
          rules.filter((r) => r.every((e, i) => holdsAt(e, p[i]!))).length;
        const overlap = points.some((p) => matching(p) > 1);
        const gap = points.some((p) => matching(p) === 0);
        expect(codes(d).includes('DMN007')).toBe(overlap);
        expect(codes(d).includes('DMN008')).toBe(gap);
      },
    ),
    { numRuns: 150 },
  );
});
