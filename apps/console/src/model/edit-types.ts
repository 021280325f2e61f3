import type { ProcessDefinition, ProcessNodeType } from '@ameide/process-definition';

/** What an edit returns: the next definition and the ids it created or touched, or why it was refused. */
export type EditResult =
  | { readonly ok: true; readonly definition: ProcessDefinition; readonly ids: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Node types that may carry boundary events (BPMN activities). */
export const ACTIVITY_TYPES_FOR_EDITOR: ReadonlySet<ProcessNodeType> = new Set([
  'serviceTask',
  'userTask',
  'agentTask',
  'scriptTask',
  'subProcess',
  'callActivity',
  'businessRuleTask',
]);
