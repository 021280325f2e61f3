import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AuditEntry,
  ChildEscalation,
  CompleteUserTaskRequest,
  CompleteUserTaskResult,
  InstanceState,
  InstanceStatus,
  MessageDelivery,
  TokenView,
  UserTaskView,
} from './types.js';

/** Name of the interpreter workflow type. */
export const PROCESS_WORKFLOW_TYPE = 'processInstance';

/** Completes an open user task; rejected by a synchronous validator without touching history. */
export const completeUserTaskUpdate = defineUpdate<
  CompleteUserTaskResult,
  [CompleteUserTaskRequest]
>('completeUserTask');
/** Delivers a message (name + correlation key); kept until a matching catch event consumes it. */
export const messageSignal = defineSignal<[MessageDelivery]>('message');
/** A called instance passes an escalation it did not catch to the instance that called it. */
export const childEscalationSignal = defineSignal<[ChildEscalation]>('childEscalation');

export const stateQuery = defineQuery<InstanceState>('state');
export const statusQuery = defineQuery<InstanceStatus>('status');
export const tokensQuery = defineQuery<readonly TokenView[]>('tokens');
export const variablesQuery = defineQuery<Record<string, unknown>>('variables');
export const userTasksQuery = defineQuery<readonly UserTaskView[]>('userTasks');
export const auditQuery = defineQuery<readonly AuditEntry[]>('audit');
