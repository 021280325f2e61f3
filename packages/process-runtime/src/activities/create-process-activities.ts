import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createConnectTransport } from '@connectrpc/connect-node';
import type { Transport } from '@connectrpc/connect';
import { ErrorCode, fromConnectError, isAmeideError, type AmeideError } from '@ameide/errors';
import type { DomainFailureDetails, ProcessActivities } from '../workflow/activity-types.js';
import type { AgentInvoker } from './agent-invoker.js';
import { callRpc } from './call-rpc.js';
import type { PlanSource } from './plan-source.js';
import type { TokenProvider } from './token-provider.js';

export interface ProcessActivitiesOptions {
  readonly plans: PlanSource;
  readonly tokens: TokenProvider;
  /** Base URL serving a service (`package.Service`), or one URL for all. */
  readonly serviceUrl: string | ((service: string) => string);
  readonly agents?: AgentInvoker;
  /** Plans kept in memory, by hash (default 256). */
  readonly planCacheSize?: number;
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
  const plans = new Map<string, string>();
  const cacheSize = options.planCacheSize ?? 256;

  return {
    async loadPlan(ref, tenantId) {
      const cached = plans.get(`${tenantId}\u0000${ref.planHash}`);
      if (cached !== undefined) return cached;
      let bytes: Uint8Array;
      try {
        bytes = await options.plans.load(tenantId, ref);
      } catch (err) {
        if (isAmeideError(err)) throw domainFailure(err);
        throw err;
      }
      const hash = createHash('sha256').update(bytes).digest('hex');
      if (hash !== ref.planHash) {
        throw ApplicationFailure.create({
          type: 'PlanHashMismatch',
          message: `plan of ${ref.name} v${ref.version} has hash ${hash}, the instance is pinned to ${ref.planHash}`,
          nonRetryable: true,
          details: [{ code: 'data_loss', reason: 'PLAN_HASH_MISMATCH', domain: 'ameide.process' }],
        });
      }
      const json = new TextDecoder().decode(bytes);
      if (plans.size >= cacheSize) plans.delete(plans.keys().next().value!);
      plans.set(`${tenantId}\u0000${ref.planHash}`, json);
      return json;
    },

    async resolveDefinition(tenantId, name, version) {
      try {
        return await options.plans.resolve(tenantId, { name }, version);
      } catch (err) {
        if (isAmeideError(err)) throw domainFailure(err);
        throw err;
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
      return options.agents.invoke(call, Context.current().cancellationSignal);
    },
  };
}
