import { evaluate, unaryTest } from 'feelin';
import type {
  DecisionPlan,
  PlanDecision,
  PlanDecisionTable,
  PlanRule,
} from '../plan/decision-plan.js';
import { DecisionEvaluationError } from './decision-evaluation-error.js';
import { feelToJson } from './feel-json.js';

/** What evaluating a decision gives. */
export interface DecisionResult {
  /** The decision evaluated (its id). */
  readonly decision: string;
  /**
   * The decision's result as JSON. Single-hit tables: the matched rule's output (a value for
   * one output, a context `{ name: value }` for several), `null` when no rule matched and no
   * default applies. Multi-hit tables: a list of those, or the aggregate for COLLECT with an
   * aggregation. Literal expressions: the expression's value.
   */
  readonly value: unknown;
  /** Ids of the rules that matched, by decision id (required decisions included), in rule order. */
  readonly matchedRules: Readonly<Record<string, readonly string[]>>;
}

export interface EvaluateOptions {
  /** Decision id; the plan's default decision when absent. */
  readonly decision?: string;
}

/**
 * Evaluates a decision of a compiled plan over `context` (the input data by name), together with
 * the decisions it requires. Pure and deterministic: no clock reads except FEEL's `now()` /
 * `today()`, which read `Date` (the workflow clock inside Temporal's sandbox). Throws
 * {@link DecisionEvaluationError} naming the decision, rule and column when the table cannot
 * give a result (a UNIQUE table with several matches, an ANY table whose matches disagree, a
 * FEEL expression that fails).
 */
export function evaluateDecision(
  plan: DecisionPlan,
  context: Readonly<Record<string, unknown>>,
  options: EvaluateOptions = {},
): DecisionResult {
  const target = options.decision ?? plan.defaultDecision;
  if (target === undefined) {
    throw new DecisionEvaluationError(
      'DECISION_REQUIRED',
      plan.definitions.id,
      `the model has several top-level decisions (${Object.keys(plan.decisions).join(', ')}); name one`,
    );
  }
  if (!Object.hasOwn(plan.decisions, target)) {
    throw new DecisionEvaluationError(
      'DECISION_NOT_FOUND',
      target,
      `the model has no decision '${target}' (it has ${Object.keys(plan.decisions).join(', ')})`,
    );
  }
  const values = new Map<string, unknown>();
  const matched: Record<string, readonly string[]> = {};
  const visiting = new Set<string>();

  const run = (id: string): unknown => {
    if (values.has(id)) return values.get(id);
    if (visiting.has(id))
      throw new DecisionEvaluationError(
        'REQUIREMENT_CYCLE',
        id,
        `decision '${id}' requires itself`,
      );
    visiting.add(id);
    const decision = plan.decisions[id];
    if (!decision)
      throw new DecisionEvaluationError('DECISION_NOT_FOUND', id, `no decision '${id}'`);
    const scope: Record<string, unknown> = { ...context };
    for (const required of decision.requires) {
      const value = run(required);
      scope[plan.decisions[required]!.name] = value;
    }
    const value = evaluateLogic(decision, scope, (rules) => (matched[id] = rules));
    visiting.delete(id);
    values.set(id, value);
    return value;
  };
  const value = run(target);
  return { decision: target, value, matchedRules: matched };
}

function evaluateLogic(
  decision: PlanDecision,
  scope: Record<string, unknown>,
  onMatched: (rules: readonly string[]) => void,
): unknown {
  const logic = decision.logic;
  if (logic.type === 'literalExpression') {
    return feelToJson(feel(decision.id, 'literal expression', logic.expression, scope));
  }
  return evaluateTable(decision, logic, scope, onMatched);
}

function evaluateTable(
  decision: PlanDecision,
  table: PlanDecisionTable,
  scope: Record<string, unknown>,
  onMatched: (rules: readonly string[]) => void,
): unknown {
  const where = (column: string) => `decision '${decision.id}' ${column}`;
  const inputValues = table.inputs.map((input, i) =>
    feel(
      decision.id,
      `input ${i + 1} (${input.label ?? input.expression})`,
      input.expression,
      scope,
    ),
  );
  const hits: PlanRule[] = [];
  for (const [r, rule] of table.rules.entries()) {
    let all = true;
    for (const [i, entry] of rule.inputEntries.entries()) {
      if (
        !matches(entry, inputValues[i], scope, () =>
          where(`rule ${r + 1} ('${rule.id}') input ${i + 1}`),
        )
      ) {
        all = false;
        break;
      }
    }
    if (all) hits.push(rule);
  }
  const outputOf = (rule: PlanRule): unknown => {
    const values = table.outputs.map((output, o) =>
      feelToJson(
        entryValue(rule.outputEntries[o] ?? '', scope, () =>
          where(`rule '${rule.id}' output ${o + 1} (${output.name ?? output.label ?? output.id})`),
        ),
      ),
    );
    return shape(table, values);
  };
  const defaults = (): unknown => {
    if (!table.outputs.some((o) => o.defaultOutputEntry !== undefined)) return null;
    const values = table.outputs.map((o) =>
      o.defaultOutputEntry === undefined
        ? null
        : feelToJson(
            feel(decision.id, `default output '${o.name ?? o.id}'`, o.defaultOutputEntry, scope),
          ),
    );
    return shape(table, values);
  };
  const ids = (rules: readonly PlanRule[]) => rules.map((r) => r.id);

  switch (table.hitPolicy) {
    case 'UNIQUE': {
      if (hits.length > 1) {
        throw new DecisionEvaluationError(
          'HIT_POLICY_VIOLATION',
          decision.id,
          `decision '${decision.id}' has hit policy UNIQUE but rules ${ids(hits)
            .map((id) => `'${id}'`)
            .join(', ')} all match`,
        );
      }
      onMatched(ids(hits));
      return hits[0] ? outputOf(hits[0]) : defaults();
    }
    case 'FIRST': {
      onMatched(ids(hits.slice(0, 1)));
      return hits[0] ? outputOf(hits[0]) : defaults();
    }
    case 'ANY': {
      onMatched(ids(hits));
      if (hits.length === 0) return defaults();
      const first = outputOf(hits[0]!);
      for (const rule of hits.slice(1)) {
        const other = outputOf(rule);
        if (!jsonEqual(first, other)) {
          throw new DecisionEvaluationError(
            'HIT_POLICY_VIOLATION',
            decision.id,
            `decision '${decision.id}' has hit policy ANY but rules '${hits[0]!.id}' and '${rule.id}' match with different outputs (${JSON.stringify(first)} and ${JSON.stringify(other)})`,
          );
        }
      }
      return first;
    }
    case 'PRIORITY': {
      if (hits.length === 0) {
        onMatched([]);
        return defaults();
      }
      const ranked = rankByPriority(decision, table, hits, scope);
      onMatched([ranked[0]!.rule.id]);
      return ranked[0]!.output;
    }
    case 'OUTPUT ORDER': {
      const ranked = rankByPriority(decision, table, hits, scope);
      onMatched(ranked.map((r) => r.rule.id));
      return ranked.map((r) => r.output);
    }
    case 'RULE ORDER': {
      onMatched(ids(hits));
      return hits.map(outputOf);
    }
    case 'COLLECT': {
      onMatched(ids(hits));
      const outputs = hits.map(outputOf);
      if (table.aggregation === undefined) return outputs;
      const fn = { SUM: 'sum', MIN: 'min', MAX: 'max', COUNT: 'count' }[table.aggregation];
      return feelToJson(
        feel(decision.id, `${table.aggregation} aggregation`, `${fn}(outputs)`, { outputs }),
      );
    }
  }
}

/** One output value, or a context when the table has several outputs. */
function shape(table: PlanDecisionTable, values: readonly unknown[]): unknown {
  if (table.outputs.length === 1) return values[0];
  const out: Record<string, unknown> = {};
  table.outputs.forEach((o, i) => (out[o.name ?? o.id] = values[i]));
  return out;
}

/** Matched rules sorted by output priority (outputValues order, output by output), then rule order. */
function rankByPriority(
  decision: PlanDecision,
  table: PlanDecisionTable,
  hits: readonly PlanRule[],
  scope: Record<string, unknown>,
): { rule: PlanRule; output: unknown; rank: number[] }[] {
  const priorities = table.outputs.map((o) =>
    (o.outputValues ?? []).map((literal) =>
      feelToJson(feel(decision.id, `output values of '${o.name ?? o.id}'`, literal, {})),
    ),
  );
  const ranked = hits.map((rule, order) => {
    const values = table.outputs.map((output, o) =>
      feelToJson(
        entryValue(
          rule.outputEntries[o] ?? '',
          scope,
          () =>
            `decision '${decision.id}' rule '${rule.id}' output ${o + 1} (${output.name ?? output.id})`,
        ),
      ),
    );
    const rank = values.map((v, o) => {
      const at = priorities[o]!.findIndex((p) => jsonEqual(p, v));
      return at === -1 ? Number.MAX_SAFE_INTEGER : at;
    });
    return { rule, output: shape(table, values), rank, order };
  });
  ranked.sort((a, b) => {
    for (let i = 0; i < a.rank.length; i++) {
      const d = a.rank[i]! - b.rank[i]!;
      if (d !== 0) return d;
    }
    return a.order - b.order;
  });
  return ranked;
}

/** Whether an input entry (unary tests) holds for `value`; `-` and an empty entry hold always. */
function matches(
  entry: string,
  value: unknown,
  scope: Record<string, unknown>,
  where: () => string,
): boolean {
  const source = entry.trim();
  if (source === '' || source === '-') return true;
  let result: { value: unknown };
  try {
    result = unaryTest(source, { ...scope, '?': value });
  } catch (err) {
    throw new DecisionEvaluationError(
      'FEEL_FAILED',
      where(),
      `${where()}: unary tests '${source}' failed: ${messageOf(err)}`,
    );
  }
  return result.value === true;
}

function entryValue(source: string, scope: Record<string, unknown>, where: () => string): unknown {
  if (source.trim() === '') return null;
  try {
    return evaluate(source, scope).value;
  } catch (err) {
    throw new DecisionEvaluationError(
      'FEEL_FAILED',
      where(),
      `${where()}: '${source}' failed: ${messageOf(err)}`,
    );
  }
}

function feel(
  decisionId: string,
  what: string,
  source: string,
  scope: Record<string, unknown>,
): unknown {
  try {
    return evaluate(source, scope).value;
  } catch (err) {
    throw new DecisionEvaluationError(
      'FEEL_FAILED',
      decisionId,
      `decision '${decisionId}' ${what}: '${source}' failed: ${messageOf(err)}`,
    );
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Structural equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}
