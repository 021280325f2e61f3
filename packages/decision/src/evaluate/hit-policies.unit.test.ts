import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  evaluateDecision,
  isDecisionEvaluationError,
  planFromDocument,
  readDmn,
  type DecisionPlan,
} from '@ameide/decision';
import { tableXml } from '../testing/dmn-xml.js';

// Property tests: random decision tables over integer inputs, written as DMN XML, read with
// dmn-moddle and evaluated with feelin, against a small reference evaluation written here in
// plain JavaScript (no FEEL).

type Entry =
  | { kind: 'any' }
  | { kind: 'cmp'; op: '<' | '<=' | '>' | '>=' | '='; n: number }
  | { kind: 'range'; a: number; b: number; loOpen: boolean; hiOpen: boolean };

const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  fc.constant<Entry>({ kind: 'any' }),
  fc.record({
    kind: fc.constant('cmp' as const),
    op: fc.constantFrom<'<' | '<=' | '>' | '>=' | '='>('<', '<=', '>', '>=', '='),
    n: fc.integer({ min: -5, max: 5 }),
  }),
  fc
    .record({
      a: fc.integer({ min: -5, max: 5 }),
      d: fc.integer({ min: 0, max: 6 }),
      loOpen: fc.boolean(),
      hiOpen: fc.boolean(),
    })
    .map(({ a, d, loOpen, hiOpen }): Entry => ({ kind: 'range', a, b: a + d, loOpen, hiOpen })),
);

const entryText = (e: Entry): string =>
  e.kind === 'any'
    ? '-'
    : e.kind === 'cmp'
      ? e.op === '='
        ? String(e.n)
        : `${e.op} ${e.n}`
      : `${e.loOpen ? '(' : '['}${e.a}..${e.b}${e.hiOpen ? ')' : ']'}`;

const entryHolds = (e: Entry, x: number): boolean => {
  switch (e.kind) {
    case 'any':
      return true;
    case 'cmp':
      return e.op === '<'
        ? x < e.n
        : e.op === '<='
          ? x <= e.n
          : e.op === '>'
            ? x > e.n
            : e.op === '>='
              ? x >= e.n
              : x === e.n;
    case 'range':
      return (e.loOpen ? x > e.a : x >= e.a) && (e.hiOpen ? x < e.b : x <= e.b);
  }
};

const POLICIES = [
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
] as const;
type Policy = (typeof POLICIES)[number];

interface Table {
  policy: Policy;
  aggregation?: 'SUM' | 'MIN' | 'MAX' | 'COUNT';
  inputs: number;
  outputs: number;
  /** Output values in priority order, per output (a permutation of 0..4). */
  priorities: number[][];
  rules: { entries: Entry[]; out: number[] }[];
}

const tableArb: fc.Arbitrary<Table> = fc
  .record({
    policy: fc.constantFrom(...POLICIES),
    inputs: fc.integer({ min: 0, max: 3 }),
    outputs: fc.integer({ min: 1, max: 2 }),
    aggregation: fc.constantFrom(undefined, 'SUM', 'MIN', 'MAX', 'COUNT'),
  })
  .chain(({ policy, inputs, outputs, aggregation }) =>
    fc.record({
      policy: fc.constant(policy),
      inputs: fc.constant(inputs),
      outputs: fc.constant(policy === 'COLLECT' && aggregation ? 1 : outputs),
      aggregation: fc.constant(policy === 'COLLECT' ? aggregation : undefined),
      priorities: fc.array(fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }), {
        minLength: 2,
        maxLength: 2,
      }),
      rules: fc.array(
        fc.record({
          entries: fc.array(entryArb, { minLength: inputs, maxLength: inputs }),
          out: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 2 }),
        }),
        { maxLength: 6 },
      ),
    }),
  )
  .map(({ aggregation, ...t }): Table => ({
    ...t,
    ...(aggregation !== undefined ? { aggregation } : {}),
    rules: t.rules.map((r) => ({ ...r, out: r.out.slice(0, t.outputs) })),
  }));

const names = ['x0', 'x1', 'x2'];

async function planOf(t: Table): Promise<DecisionPlan> {
  const xml = tableXml({
    hitPolicy: t.policy,
    ...(t.aggregation ? { aggregation: t.aggregation } : {}),
    inputs: names.slice(0, t.inputs).map((expression) => ({ expression })),
    outputs: Array.from({ length: t.outputs }, (_, o) => ({
      name: `out${o}`,
      outputValues: t.priorities[o]!.join(','),
    })),
    rules: t.rules.map((r) => ({
      inputEntries: r.entries.map(entryText),
      outputEntries: r.out.map(String),
    })),
  });
  const read = await readDmn(xml);
  if (!read.ok) throw new Error(read.message);
  return planFromDocument(read.document);
}

type Expected = { value: unknown; matched: string[] } | { error: 'HIT_POLICY_VIOLATION' };

/** The reference: DMN 1.3 §8.2.11 read literally, over plain numbers. */
function reference(t: Table, x: number[]): Expected | undefined {
  const hits = t.rules
    .map((r, k) => ({ ...r, id: `r${k}`, order: k }))
    .filter((r) => r.entries.every((e, i) => entryHolds(e, x[i]!)));
  const value = (r: { out: number[] }) =>
    t.outputs === 1 ? r.out[0] : { out0: r.out[0], out1: r.out[1] };
  const rank = (r: { out: number[] }) => r.out.map((v, o) => t.priorities[o]!.indexOf(v));
  const byPriority = [...hits].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return a.order - b.order;
  });
  switch (t.policy) {
    case 'UNIQUE':
      if (hits.length > 1) return { error: 'HIT_POLICY_VIOLATION' };
      return { value: hits[0] ? value(hits[0]) : null, matched: hits.map((h) => h.id) };
    case 'FIRST':
      return { value: hits[0] ? value(hits[0]) : null, matched: hits.slice(0, 1).map((h) => h.id) };
    case 'ANY': {
      const distinct = new Set(hits.map((h) => JSON.stringify(h.out)));
      if (distinct.size > 1) return { error: 'HIT_POLICY_VIOLATION' };
      return { value: hits[0] ? value(hits[0]) : null, matched: hits.map((h) => h.id) };
    }
    case 'PRIORITY':
      return {
        value: byPriority[0] ? value(byPriority[0]) : null,
        matched: byPriority.slice(0, 1).map((h) => h.id),
      };
    case 'OUTPUT ORDER':
      return { value: byPriority.map(value), matched: byPriority.map((h) => h.id) };
    case 'RULE ORDER':
      return { value: hits.map(value), matched: hits.map((h) => h.id) };
    case 'COLLECT': {
      const matched = hits.map((h) => h.id);
      const outs = hits.map((h) => h.out[0]!);
      switch (t.aggregation) {
        case undefined:
          return { value: hits.map(value), matched };
        case 'COUNT':
          return { value: outs.length, matched };
        case 'SUM':
          return { value: outs.length === 0 ? null : outs.reduce((a, b) => a + b, 0), matched };
        case 'MIN':
          return { value: outs.length === 0 ? null : Math.min(...outs), matched };
        case 'MAX':
          return { value: outs.length === 0 ? null : Math.max(...outs), matched };
      }
    }
  }
  return undefined;
}

function actual(plan: DecisionPlan, x: number[]): Expected {
  try {
    const r = evaluateDecision(plan, Object.fromEntries(x.map((v, i) => [names[i]!, v])));
    return { value: r.value, matched: [...(r.matchedRules['d'] ?? [])] };
  } catch (err) {
    if (isDecisionEvaluationError(err) && err.code === 'HIT_POLICY_VIOLATION')
      return { error: err.code };
    throw err;
  }
}

const inputsArb = fc.array(fc.integer({ min: -7, max: 7 }), { minLength: 3, maxLength: 3 });

describe('hit policies against the reference evaluation', () => {
  for (const policy of POLICIES) {
    test(`${policy}: every random table and input gives the reference result`, async () => {
      await fc.assert(
        fc.asyncProperty(
          tableArb.filter((t) => t.policy === policy),
          fc.array(inputsArb, { minLength: 1, maxLength: 8 }),
          async (t, points) => {
            const plan = await planOf(t);
            for (const x of points) expect(actual(plan, x)).toEqual(reference(t, x));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  test('COLLECT with each aggregation is exercised with and without matches', async () => {
    for (const aggregation of ['SUM', 'MIN', 'MAX', 'COUNT'] as const) {
      const t: Table = {
        policy: 'COLLECT',
        aggregation,
        inputs: 1,
        outputs: 1,
        priorities: [[0, 1, 2, 3, 4]],
        rules: [
          { entries: [{ kind: 'cmp', op: '>', n: 0 }], out: [3] },
          { entries: [{ kind: 'cmp', op: '>', n: 1 }], out: [1] },
          { entries: [{ kind: 'any' }], out: [4] },
        ],
      };
      const plan = await planOf(t);
      const expected = { SUM: 8, MIN: 1, MAX: 4, COUNT: 3 }[aggregation];
      expect(actual(plan, [5, 0, 0])).toEqual({ value: expected, matched: ['r0', 'r1', 'r2'] });
      const none = await planOf({ ...t, rules: t.rules.slice(0, 2) });
      expect(actual(none, [-1, 0, 0])).toEqual({
        value: aggregation === 'COUNT' ? 0 : null,
        matched: [],
      });
    }
  });
});

describe('decision results', () => {
  test('a UNIQUE violation names the rules that matched', async () => {
    const read = await readDmn(
      tableXml({
        hitPolicy: 'UNIQUE',
        inputs: [{ expression: 'amount' }],
        outputs: [{ name: 'v' }],
        rules: [
          { id: 'small', inputEntries: ['< 10'], outputEntries: ['1'] },
          { id: 'tiny', inputEntries: ['< 5'], outputEntries: ['2'] },
        ],
      }),
    );
    if (!read.ok) throw new Error(read.message);
    expect(() => evaluateDecision(planFromDocument(read.document), { amount: 1 })).toThrow(
      /hit policy UNIQUE but rules 'small', 'tiny' all match/,
    );
  });

  test('default output entries apply when no rule matches; output entries see the inputs', async () => {
    const read = await readDmn(
      tableXml({
        hitPolicy: 'FIRST',
        inputs: [{ expression: 'amount' }],
        outputs: [
          { name: 'fee', defaultOutputEntry: '0' },
          { name: 'note', defaultOutputEntry: '"none"' },
        ],
        rules: [
          {
            inputEntries: ['> 100'],
            outputEntries: ['amount * 0.01', '"fee of " + string(amount * 0.01)'],
          },
        ],
      }),
    );
    if (!read.ok) throw new Error(read.message);
    const plan = planFromDocument(read.document);
    expect(evaluateDecision(plan, { amount: 500 }).value).toEqual({ fee: 5, note: 'fee of 5' });
    expect(evaluateDecision(plan, { amount: 5 }).value).toEqual({ fee: 0, note: 'none' });
  });

  test('a FEEL failure names the decision, rule and column', async () => {
    const read = await readDmn(
      tableXml({
        hitPolicy: 'FIRST',
        inputs: [{ expression: 'amount' }],
        outputs: [{ name: 'v' }],
        rules: [{ id: 'odd', inputEntries: ['> 1'], outputEntries: ['1 +'] }],
      }),
    );
    if (!read.ok) throw new Error(read.message);
    expect(() => evaluateDecision(planFromDocument(read.document), { amount: 3 })).toThrow(
      /decision 'd' rule 'odd' output 1 \(v\): '1 \+' failed/,
    );
  });
});
