// Entry `@ameide/process-definition/plan`: what the process runtime needs to run a compiled
// plan. No bpmn-moddle, no zod, no Node built-ins: safe for the Temporal workflow sandbox.
export type {
  ExecutionPlan,
  FeelExpression,
  PlanBoundary,
  PlanEventTrigger,
  PlanMessage,
  PlanMultiInstance,
  PlanNode,
  PlanNodeType,
  PlanRetry,
  PlanScope,
  PlanServiceCall,
  PlanTimer,
  PlanTransition,
  PlanVariable,
} from './execution-plan.js';
export { MAX_PLAN_BYTES, PLAN_VERSION } from './execution-plan.js';
export { canonicalJson } from './canonical-json.js';
export { sha256Hex } from './sha256.js';
export {
  durationToMilliseconds,
  parseIsoCycle,
  parseIsoDateTime,
  parseIsoDuration,
  parseTimer,
} from '../timer/iso8601.js';
export type { IsoDuration, IsoParseResult, ParsedTimer } from '../timer/iso8601.js';
