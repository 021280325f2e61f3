// @ameide/decision: DMN 1.3 decisions. Read and lint DMN XML (dmn-moddle), compile it to a
// hashed DecisionPlan, evaluate a plan (feelin). The evaluator is also the `./evaluate` entry,
// which the Temporal workflow sandbox imports.
export {
  compileDecision,
  lintDecision,
  MAX_DECISION_PLAN_BYTES,
  planFromDocument,
} from './compile/compile-decision.js';
export type { CompileDecisionResult, LintDecisionResult } from './compile/compile-decision.js';
export { evaluateDecision, jsonEqual } from './evaluate/evaluate-decision.js';
export type { DecisionResult, EvaluateOptions } from './evaluate/evaluate-decision.js';
export {
  DecisionEvaluationError,
  isDecisionEvaluationError,
} from './evaluate/decision-evaluation-error.js';
export type { DecisionErrorCode } from './evaluate/decision-evaluation-error.js';
export { DECISION_LINT_CODES } from './lint/decision-diagnostic.js';
export type { DecisionDiagnostic } from './lint/decision-diagnostic.js';
export { lintDmnDocument } from './lint/lint-decision.js';
export type { DecisionLintOptions } from './lint/lint-decision.js';
export { classifyEntry } from './lint/entry-sets.js';
export type { EntrySet, Interval } from './lint/entry-sets.js';
export { DMN13_NAMESPACE, readDmn } from './dmn/read-dmn.js';
export type {
  DmnDecision,
  DmnDocument,
  DmnLogic,
  DmnTable,
  ReadDmnResult,
} from './dmn/read-dmn.js';
export { AGGREGATIONS, DECISION_PLAN_VERSION, HIT_POLICIES } from './plan/decision-plan.js';
export type {
  Aggregation,
  DecisionPlan,
  HitPolicy,
  PlanDecision,
  PlanDecisionTable,
  PlanInput,
  PlanLiteralExpression,
  PlanOutput,
  PlanRule,
} from './plan/decision-plan.js';
