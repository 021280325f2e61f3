// Entry `@ameide/decision/evaluate`: what a business rule task needs to evaluate a compiled
// DecisionPlan. feelin only: no dmn-moddle, no Node built-ins, so the Temporal workflow sandbox
// can import it.
export { evaluateDecision, jsonEqual } from './evaluate-decision.js';
export type { DecisionResult, EvaluateOptions } from './evaluate-decision.js';
export { DecisionEvaluationError, isDecisionEvaluationError } from './decision-evaluation-error.js';
export type { DecisionErrorCode } from './decision-evaluation-error.js';
export { feelToJson } from './feel-json.js';
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
} from '../plan/decision-plan.js';
export { AGGREGATIONS, DECISION_PLAN_VERSION, HIT_POLICIES } from '../plan/decision-plan.js';
