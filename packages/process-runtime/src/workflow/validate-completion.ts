import { ApplicationFailure } from '@temporalio/workflow';
import { validateForm } from './form-validation.js';
import type { CompleteUserTaskRequest, UserTaskView } from './types.js';

/** ApplicationFailure types a rejected `completeUserTask` update carries. */
export const TASK_REJECTIONS = {
  notOpen: 'TaskNotOpen',
  notAllowed: 'TaskNotAllowed',
  invalidData: 'TaskDataInvalid',
} as const;

/**
 * The `completeUserTask` validator: synchronous, reads state only. Throwing rejects the
 * update before it reaches history.
 */
export function validateCompletion(
  task: UserTaskView | undefined,
  req: CompleteUserTaskRequest,
): void {
  if (task === undefined) {
    throw ApplicationFailure.create({
      type: TASK_REJECTIONS.notOpen,
      message: `task ${req.taskId} is not open`,
      nonRetryable: true,
    });
  }
  const open = task.assignee === undefined && task.candidateGroups.length === 0;
  const allowed =
    open ||
    task.assignee === req.userId ||
    task.candidateGroups.some((g) => req.groups.includes(g));
  if (!allowed) {
    throw ApplicationFailure.create({
      type: TASK_REJECTIONS.notAllowed,
      message: `user ${req.userId} is neither the assignee nor in a candidate group (${task.candidateGroups.join(', ')}) of task ${req.taskId}`,
      nonRetryable: true,
    });
  }
  const violations = validateForm(task.form, req.data);
  if (violations.length > 0) {
    throw ApplicationFailure.create({
      type: TASK_REJECTIONS.invalidData,
      message: `form data of task ${req.taskId} is invalid: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
      nonRetryable: true,
      details: [violations],
    });
  }
}
