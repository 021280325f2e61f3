import type { LintRule, LintRuleInfo } from './lint-rule.js';
import {
  bindingMissing,
  calledDefinitionUnknown,
  decisionUnknown,
  serviceRpcUnknown,
} from './rules/bindings.js';
import {
  boundaryAttachment,
  errorBoundaryNonInterrupting,
  escalationBoundaryHost,
} from './rules/boundary-events.js';
import { compensationWithoutHandler } from './rules/compensation.js';
import { feelBuiltinAsValue } from './rules/feel-builtins.js';
import { duplicateFlow } from './rules/duplicate-flows.js';
import {
  endOutgoing,
  linkEvents,
  noOutgoing,
  noPathToEnd,
  unreachable,
} from './rules/flow-paths.js';
import { formSchemaInvalid } from './rules/form-schema.js';
import {
  conditionMisplaced,
  defaultMultiple,
  eventGatewayTargets,
  gatewayConditionMissing,
  implicitSplit,
  parallelJoinDeadlock,
  unsynchronizedMerge,
} from './rules/gateway-flows.js';
import {
  danglingReference,
  duplicateId,
  invalidFlow,
  invalidParent,
  variableDuplicate,
} from './rules/references.js';
import {
  eventSubProcessShape,
  eventSubProcessStart,
  startIncoming,
  startMissing,
  startMultiple,
  subProcessStartTrigger,
} from './rules/start-events.js';
import { feelSyntax, iso8601Syntax } from './rules/text-syntax.js';
import { multiInstanceShape } from './rules/multi-instance.js';
import { unsupportedElement } from './rules/unsupported.js';

/** AM000 is reported before the rules run, when the input does not match the schema. */
export const SCHEMA_RULE: LintRuleInfo = {
  code: 'AM000',
  name: 'schema',
  title: 'The definition does not match the ProcessDefinition schema (the field is named by path)',
  severity: 'error',
};

/** Rules in the order they run (their diagnostics come out in this order). */
export const LINT_RULES: readonly LintRule[] = [
  startMissing,
  startMultiple,
  startIncoming,
  subProcessStartTrigger,
  eventSubProcessStart,
  eventSubProcessShape,
  endOutgoing,
  unreachable,
  noOutgoing,
  noPathToEnd,
  linkEvents,
  duplicateId,
  danglingReference,
  invalidParent,
  invalidFlow,
  duplicateFlow,
  gatewayConditionMissing,
  defaultMultiple,
  conditionMisplaced,
  eventGatewayTargets,
  parallelJoinDeadlock,
  unsynchronizedMerge,
  implicitSplit,
  feelSyntax,
  iso8601Syntax,
  boundaryAttachment,
  errorBoundaryNonInterrupting,
  escalationBoundaryHost,
  bindingMissing,
  serviceRpcUnknown,
  calledDefinitionUnknown,
  decisionUnknown,
  formSchemaInvalid,
  unsupportedElement,
  variableDuplicate,
  compensationWithoutHandler,
  multiInstanceShape,
  feelBuiltinAsValue,
];

/** The rule catalogue: every code the linter can report, with title and severity. */
export const lintRules: readonly LintRuleInfo[] = [SCHEMA_RULE, ...LINT_RULES].map(
  ({ code, name, title, severity }) => ({ code, name, title, severity }),
);
