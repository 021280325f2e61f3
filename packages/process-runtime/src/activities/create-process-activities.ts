import { ApplicationFailure, Context } from '@temporalio/activity';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { Transport } from '@connectrpc/connect';
import { ErrorCode, fromConnectError, isAmeideError, type AmeideError } from '@ameide/errors';
import {
  INCIDENT_TYPE,
  type DomainFailureDetails,
  type ProcessActivities,
  type SignalBroadcast,
} from '../workflow/activity-types.js';
import type { AgentInvoker } from './agent-invoker.js';
import { callRpc } from '@ameide/sdk';
import type { Database } from '@ameide/persistence';
import { recordInstanceEvent } from '../lifecycle/instance-events.js';
import { PLAN_HASH_MISMATCH, type PlanSource } from './plan-source.js';
import type { TokenProvider } from './token-provider.js';

export interface ProcessActivitiesOptions {
  readonly plans: PlanSource;
  readonly tokens: TokenProvider;
  /** Base URL serving a service (`package.Service`), or one URL for all. */
  readonly serviceUrl: string | ((service: string) => string);
  readonly agents?: AgentInvoker;
  /** Where instance lifecycle events are appended (the `process` log); without it they are not recorded. */
  readonly events?: { readonly db: Database };
  /**
   * Delivers thrown signals to the tenant's other instances (a ProcessClient on the worker's
   * Temporal); without it, a signal throw is an incident of its node.
   */
  readonly signals?: { broadcastSignal(broadcast: SignalBroadcast): Promise<number> };
}

/**
 * Errors retrying cannot fix: the activity fails at once (non-retryable), and the domain's
 * ErrorInfo reason becomes the BPMN error code.
 */
const NON_RETRYABLE: ReadonlySet<string> = new Set([
  ErrorCode.InvalidArgument,
  ErrorCode.NotFound,
  ErrorCode.AlreadyExists,
  ErrorCode.PermissionDenied,
  ErrorCode.FailedPrecondition,
  ErrorCode.OutOfRange,
  ErrorCode.Unimplemented,
  ErrorCode.Unauthenticated,
]);

/** Turns an AmeideError into the ApplicationFailure the interpreter maps to a BPMN error. */
export function domainFailure(err: AmeideError): ApplicationFailure {
  const details: DomainFailureDetails = { code: err.code, reason: err.reason, domain: err.domain };
  return ApplicationFailure.create({
    type: `AmeideError.${err.code}`,
    message: err.message,
    nonRetryable: NON_RETRYABLE.has(err.code),
    details: [details],
  });
}

/** A plan that cannot be read: a hash mismatch never heals, other domain errors as they map. */
function planFailure(err: unknown): unknown {
  if (!isAmeideError(err)) return err;
  if (err.reason === PLAN_HASH_MISMATCH) {
    return ApplicationFailure.create({
      type: 'PlanHashMismatch',
      message: err.message,
      nonRetryable: true,
      details: [{ code: 'data_loss', reason: PLAN_HASH_MISMATCH, domain: 'ameide.process' }],
    });
  }
  return domainFailure(err);
}

/** The activities of the interpreter workflow. */
export function createProcessActivities(options: ProcessActivitiesOptions): ProcessActivities {
  const transports = new Map<string, Transport>();
  const transportFor = (service: string): Transport => {
    const url =
      typeof options.serviceUrl === 'string' ? options.serviceUrl : options.serviceUrl(service);
    let t = transports.get(url);
    if (!t) {
      t = createConnectTransport({ baseUrl: url, httpVersion: '1.1' });
      transports.set(url, t);
    }
    return t;
  };
  return {
    // The source checked the plan against its hash and keeps it cached (a start in this process
    // already put it there).
    async broadcastSignal(broadcast) {
      if (!options.signals)
        throw ApplicationFailure.create({
          type: INCIDENT_TYPE,
          nonRetryable: true,
          message: `signal ${broadcast.signal} cannot be broadcast: this process worker has no signal broadcaster (ProcessActivitiesOptions.signals)`,
        });
      // The activity's run and id stay the same across its retries: a signal start event
      // starts its instance once per throw.
      const info = Context.current().info;
      return options.signals.broadcastSignal({
        ...broadcast,
        broadcastId: `${info.workflowExecution?.runId ?? broadcast.fromWorkflowId}/${info.activityId}`,
      });
    },

    async loadPlan(ref, tenantId) {
      try {
        return (await options.plans.load(tenantId, ref)).planJson;
      } catch (err) {
        throw planFailure(err);
      }
    },

    async resolveDefinition(tenantId, name, version) {
      try {
        return (await options.plans.resolve(tenantId, { name }, version)).ref;
      } catch (err) {
        throw planFailure(err);
      }
    },

    // Read once per task execution; the answer (version, hash, plan) is recorded in history.
    async loadDecision(tenantId, name, version) {
      try {
        return await options.plans.resolveDecision(tenantId, name, version);
      } catch (err) {
        throw planFailure(err);
      }
    },

    async callService(call) {
      const service = call.rpc.split('/')[0] ?? '';
      const headers: Record<string, string> = {
        authorization: `Bearer ${await options.tokens.tokenFor(call.actor)}`,
        'idempotency-key': call.idempotencyKey,
      };
      if (call.traceparent) headers['traceparent'] = call.traceparent;
      try {
        return await callRpc(
          transportFor(service),
          call.rpc,
          call.request,
          headers,
          Context.current().cancellationSignal,
        );
      } catch (err) {
        throw domainFailure(fromConnectError(err));
      }
    },

    async invokeAgent(call) {
      if (!options.agents) {
        throw ApplicationFailure.create({
          type: 'AgentRuntimeMissing',
          message: `no agent invoker is configured; agent task ${call.nodeId} cannot run`,
          nonRetryable: true,
          details: [
            { code: 'unimplemented', reason: 'AGENT_RUNTIME_MISSING', domain: 'ameide.process' },
          ],
        });
      }
      const { info, cancellationSignal } = Context.current();
      const run = info.workflowExecution;
      return options.agents.invoke(call, {
        signal: cancellationSignal,
        ...(run ? { invocationKey: `${run.workflowId}/${run.runId}/${info.activityId}` } : {}),
      });
    },

    async recordInstanceEvent(event) {
      if (options.events) await recordInstanceEvent(options.events.db, event);
    },
  };
}
