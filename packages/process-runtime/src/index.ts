// For users: run processes.
export { createProcessClient } from './client/process-client.js';
export { createStartSchedules, scheduleSpecOf } from './client/start-schedules.js';
export {
  createStartTriggers,
  createStaticStartTriggers,
  replaceStartTriggers,
  startTriggersOf,
} from './client/start-triggers.js';
export type {
  MessageReceipt,
  StartTrigger,
  StartTriggerKind,
  StartTriggers,
} from './client/start-triggers.js';
export type {
  StartScheduleChange,
  StartSchedules,
  StartScheduleSpec,
} from './client/start-schedules.js';
export type {
  Caller,
  InstanceDetails,
  InstanceSummary,
  ListFilter,
  OpenUserTask,
  ProcessClient,
  ProcessClientOptions,
  StartProcessInput,
} from './client/process-client.js';
export { createProcessWorker } from './worker/create-process-worker.js';
export type {
  ProcessWorker,
  ProcessWorkerOptions,
  WorkflowSpanProcessor,
  WorkflowSpanResource,
} from './worker/create-process-worker.js';
export { runProcessWorker } from './worker/run-process-worker.js';
export type { RunProcessWorkerOptions } from './worker/run-process-worker.js';
export {
  bundleProcessWorkflows,
  getWorkflowBundle,
  WORKFLOWS_PATH,
} from './worker/workflow-bundle.js';
export type { WorkflowBundleOptions } from './worker/workflow-bundle.js';
export { createProcessActivities, domainFailure } from './activities/create-process-activities.js';
export type { ProcessActivitiesOptions } from './activities/create-process-activities.js';
export { createArtifactStorePlanSource, createStaticPlanSource } from './activities/plan-source.js';
export type { DefinitionRef, PlanSource } from './activities/plan-source.js';
export { createDevTokenProvider } from './activities/token-provider.js';
export type {
  DevTokenProviderOptions,
  TokenProvider,
  TokenSigner,
} from './activities/token-provider.js';
export { createHttpAgentInvoker, createScriptedAgentInvoker } from './activities/agent-invoker.js';
export type {
  AgentInvocation,
  AgentInvoker,
  HttpAgentInvokerOptions,
} from './activities/agent-invoker.js';

export { processServiceRoutes } from './service/process-service.js';

// Workflow contract (signals, updates, queries, search attributes, data types).
export {
  PROCESS_WORKFLOW_TYPE,
  auditQuery,
  completeUserTaskUpdate,
  messageSignal,
  stateQuery,
  statusQuery,
  tokensQuery,
  userTasksQuery,
  variablesQuery,
} from './workflow/definitions.js';
export { processSearchAttributes, SEARCH_ATTRIBUTE_TYPES } from './workflow/search-attributes.js';
export { BPMN_ERROR_TYPE, INCIDENT_TYPE } from './workflow/activity-types.js';
export type { InstanceLifecycleEvent } from './workflow/activity-types.js';
export {
  InstanceEventType,
  migrateProcessEvents,
  PROCESS_EVENTS_SCHEMA,
  recordInstanceEvent,
} from './lifecycle/instance-events.js';
export type {
  AgentCallRequest,
  ProcessActivities,
  ServiceCallRequest,
} from './workflow/activity-types.js';
export { TASK_REJECTIONS } from './workflow/validate-completion.js';
export { validateForm } from './workflow/form-validation.js';
export type { FormViolation } from './workflow/form-validation.js';
export type {
  AuditEntry,
  CompleteUserTaskRequest,
  InstanceActor,
  InstanceOptions,
  InstanceState,
  InstanceStatus,
  MessageDelivery,
  ProcessInput,
  ProcessRef,
  ProcessResult,
  TokenView,
  UserTaskView,
} from './workflow/types.js';
