import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { stateQuery } from '../workflow/definitions.js';
import type { InstanceState } from '../workflow/types.js';

// Queries and updates need a worker to run the instance. A polling worker
// answers in milliseconds; without one (worker down, task queue not served, a
// workflow task that keeps failing) Temporal holds a query for 30 s and then
// fails it, and an update waits for as long as the caller does. The
// ProcessService answered such calls `internal` after 30 s, or never.

/** How long a state query may take. */
export const STATE_QUERY_TIMEOUT_MS = 3_000;
/** How long a task completion may wait for the instance to accept it. */
export const UPDATE_TIMEOUT_MS = 10_000;

/** The live state of an instance; `unavailable` when no worker answers in time. */
export async function queryState(
  client: Client,
  handle: WorkflowHandle,
  instanceId: string,
): Promise<InstanceState> {
  try {
    return await client.withDeadline(Date.now() + STATE_QUERY_TIMEOUT_MS, () =>
      handle.query(stateQuery),
    );
  } catch (err) {
    if (expired(err)) throw notAnswering(instanceId, STATE_QUERY_TIMEOUT_MS, err);
    throw err;
  }
}

/** gRPC FAILED_PRECONDITION: Temporal's answer to an update of a workflow whose last task failed. */
const GRPC_FAILED_PRECONDITION = 9;

/**
 * Runs an update of an instance; `unavailable` when it is not accepted in
 * time, `failed_precondition` when the instance cannot take updates (its last
 * workflow task failed: it is stuck until its worker or definition is fixed).
 */
export async function updateWithin<T>(
  client: Client,
  instanceId: string,
  update: () => Promise<T>,
): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, update);
  } catch (err) {
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || expired(err))
      throw notAnswering(
        instanceId,
        UPDATE_TIMEOUT_MS,
        err,
        '; it may still apply once a worker runs the instance',
      );
    const refused = grpcCause(err, GRPC_FAILED_PRECONDITION);
    if (refused)
      throw new AmeideError(
        ErrorCode.FailedPrecondition,
        `process instance ${instanceId} cannot take it now: ${refused.details}`,
        { reason: 'INSTANCE_STUCK', domain: 'ameide.process', cause: err },
      );
    throw err;
  }
}

function grpcCause(err: unknown, code: number): { details: string } | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && Number(e.code) === code) return e;
  }
  return undefined;
}

// grpc-js reports the deadline as DEADLINE_EXCEEDED or, when it cuts a call
// that is being retried, as CANCELLED; nothing else cancels these calls.
function expired(err: unknown): boolean {
  return isGrpcDeadlineError(err) || isGrpcCancelledError(err);
}

function notAnswering(instanceId: string, ms: number, cause: unknown, more = ''): AmeideError {
  return new AmeideError(
    ErrorCode.Unavailable,
    `process instance ${instanceId} did not answer within ${ms / 1000} s: no process worker runs it right now${more}`,
    { reason: 'INSTANCE_NOT_ANSWERING', domain: 'ameide.process', cause },
  );
}
