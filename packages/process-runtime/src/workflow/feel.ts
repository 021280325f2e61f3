import { evaluate } from 'feelin';
import type { FeelExpression, PlanTransition } from '@ameide/process-definition/plan';
import { ProcessIncident } from './bpmn-errors.js';

/**
 * FEEL evaluation inside the workflow sandbox.
 *
 * Determinism: feelin has no randomness; its only clock reads are `now()`/`today()`, which read
 * `Date`, and the sandbox's `Date` is the workflow clock (the time of the current workflow task,
 * recorded in history). A result always ends up in recorded state (variables, a branch taken,
 * an activity input), so replay sees the same value. `replay.int.test.ts` replays a plan that
 * calls `now()` to keep this honest.
 */

/** A FEEL expression could not be evaluated into what the plan needs. */
export class FeelEvaluationError extends Error {
  override readonly name = 'FeelEvaluationError';
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(message);
  }
}

/** Evaluates `expr` over `context` and returns a JSON value (dates as ISO strings). */
export function evaluateFeel(expr: FeelExpression, context: Record<string, unknown>): unknown {
  let result: { value: unknown };
  try {
    result = evaluate(expr.feel, context);
  } catch (err) {
    throw new FeelEvaluationError(expr.feel, `FEEL '${expr.feel}' failed: ${String(err)}`);
  }
  return toJsonValue(result.value);
}

/** Evaluates a mapping that must give a FEEL context (an object); `undefined` expr gives `{}`. */
export function evaluateContext(
  expr: FeelExpression | undefined,
  context: Record<string, unknown>,
): Record<string, unknown> {
  if (expr === undefined) return {};
  const value = evaluateFeel(expr, context);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FeelEvaluationError(
      expr.feel,
      `FEEL '${expr.feel}' must give a context ({ ... }), got ${JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** A condition: true only for FEEL `true` (null/false/anything else is false). */
export function evaluateCondition(expr: FeelExpression, context: Record<string, unknown>): boolean {
  return evaluateFeel(expr, context) === true;
}

/** Runs a FEEL evaluation for node `nodeId`: a failure becomes that node's ProcessIncident. */
export function feelAt<T>(nodeId: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ProcessIncident) throw err;
    throw new ProcessIncident(nodeId, (err as Error).message);
  }
}

/** A FEEL context mapping of node `nodeId` (input/output/compensation mappings). */
export function mappingAt(
  nodeId: string,
  expr: FeelExpression | undefined,
  context: Record<string, unknown>,
): Record<string, unknown> {
  return feelAt(nodeId, () => evaluateContext(expr, context));
}

/** Whether a gateway's flow is taken (a flow without a condition is). */
export function conditionAt(
  nodeId: string,
  t: PlanTransition,
  variables: Record<string, unknown>,
): boolean {
  try {
    return t.condition ? evaluateCondition(t.condition, variables) : true;
  } catch (err) {
    throw new ProcessIncident(nodeId, (err as Error).message);
  }
}

function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'function') return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      // FEEL dates, times, durations and ranges: their ISO text.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- feelin's temporal values define toString()
      return String(value);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJsonValue(v);
    return out;
  }
  return null;
}
