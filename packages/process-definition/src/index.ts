// Model
export { parseProcessDefinition } from './model/parse-process-definition.js';
export type { FieldError, ParseProcessDefinitionResult } from './model/parse-process-definition.js';
export type {
  AgentBinding,
  CallBinding,
  DefinitionVersion,
  EventTrigger,
  Lane,
  MessageSubscription,
  MultiInstance,
  NodeOfType,
  Participant,
  Position,
  ProcessDefinition,
  ProcessDefinitionInput,
  ProcessEdge,
  ProcessNode,
  ProcessNodeType,
  ProcessVariable,
  RetryPolicy,
  ServiceBinding,
  TimerDefinition,
  UserTaskBinding,
  VariableType,
} from './model/process-definition.js';
export { orderProcessDefinition } from './graph/canonical-order.js';
export { formatDiagnostic, hasErrors } from './model/diagnostic.js';
export type { Diagnostic, ElementKind, Severity, TextSpan } from './model/diagnostic.js';

// BPMN 2.0 XML
export { importBpmn, importBpmnCollaboration } from './bpmn/import-bpmn.js';
export type {
  ImportBpmnCollaborationResult,
  ImportBpmnOptions,
  ImportBpmnResult,
} from './bpmn/import-bpmn.js';
export { exportBpmn } from './bpmn/export-bpmn.js';
export { collaborationView } from './bpmn/collaboration-view.js';
export type {
  CollaborationView,
  KeptAnnotation,
  KeptConnection,
  KeptPool,
} from './bpmn/collaboration-view.js';
export type { BpmnDocument } from './bpmn/export-bpmn.js';
export type {
  BpmnInterchange,
  EncodedAnchor,
  EncodedElement,
  EncodedRef,
  EncodedValue,
  Residual,
} from './model/bpmn-interchange.js';
export { bpmnInterchangeSchema } from './model/bpmn-interchange.js';
export { IMPORT_CODES } from './bpmn/import-node.js';
export { AMEIDE_BPMN_NAMESPACE, ameideModdleDescriptor } from './bpmn/ameide-moddle-descriptor.js';

// Lint
export { lintProcessDefinition } from './lint/lint-process-definition.js';
export type { LintResult } from './lint/lint-process-definition.js';
export { lintRules } from './lint/lint-rules.js';
export type { LintOptions, LintRuleInfo } from './lint/lint-rule.js';
export { createServiceRegistry } from './lint/service-registry.js';
export type { ServiceRegistry } from './lint/service-registry.js';
export { createDefinitionResolver } from './lint/definition-resolver.js';
export type { DefinitionResolver } from './lint/definition-resolver.js';

// Compile
export {
  COMPILE_CODES,
  DEFAULT_SERVICE_RETRY,
  DEFAULT_SERVICE_TIMEOUT,
  compileProcessDefinition,
} from './compile/compile-process-definition.js';
export type { CompileOptions, CompileResult } from './compile/compile-process-definition.js';
export type { ExecutionPlan, PlanNode, PlanTransition } from './plan/execution-plan.js';
export { MAX_PLAN_BYTES, PLAN_VERSION } from './plan/execution-plan.js';
export { planReferences } from './plan/plan-references.js';
export type { PlanReferences } from './plan/plan-references.js';
export { canonicalJson } from './plan/canonical-json.js';
export { sha256Hex } from './plan/sha256.js';

// FEEL and ISO 8601
export { checkFeelExpression } from './feel/check-feel.js';
export type { FeelCheckResult } from './feel/check-feel.js';
export {
  parseTimer,
  parseIsoDuration,
  parseIsoDateTime,
  parseIsoCycle,
  durationToMilliseconds,
} from './timer/iso8601.js';
export type { IsoDuration, ParsedTimer } from './timer/iso8601.js';

// For other packages (validation at their boundaries)
export {
  ACTIVITY_TYPES,
  DEFAULT_MULTI_INSTANCE_CONCURRENCY,
  MAX_MULTI_INSTANCE_CONCURRENCY,
  processDefinitionSchema,
} from './model/process-definition.js';
