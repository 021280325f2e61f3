import { randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { v5 as uuidv5 } from 'uuid';
import { idempotencyOf, type Idempotency } from '@ameide/events';
import { canonicalJson } from '@ameide/process-definition/plan';
import { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
import type { DefinitionRef, PlanSource } from '../activities/plan-source.js';
import type { SignalBroadcast } from '../workflow/activity-types.js';
import {
  completeUserTaskUpdate,
  messageSignal,
  PROCESS_WORKFLOW_TYPE,
} from '../workflow/definitions.js';
import {
  processSearchAttributes as SA,
  startSearchAttributes,
} from '../workflow/search-attributes.js';
import type {
  InstanceOptions,
  InstanceState,
  InstanceStatus,
  ProcessInput,
  ProcessRef,
  ProcessResult,
  UserTaskView,
} from '../workflow/types.js';
import { SIGNAL_KEY, SIGNAL_PREFIX } from '../workflow/handlers/signals.js';
import { TASK_REJECTIONS } from '../workflow/validate-completion.js';
import { instanceIdOf, workflowIdOf } from './instance-id.js';
import {
  instancesQuery,
  messageSubscriptionOf,
  subscribersQuery,
  taskCandidatesOf,
  userTasksQuery,
} from './process-queries.js';
import { queryState, updateWithin } from './instance-deadlines.js';
import { checkStartVariables } from './start-variables.js';
import type {
  MessageReceipt,
  StartTrigger,
  StartTriggerKind,
  StartTriggers,
} from './start-triggers.js';
import { assertSearchable } from './visibility-query.js';

/** Who calls: always from the verified RequestContext, never from a request body. */
export interface Caller {
  readonly tenantId: string;
  readonly orgId: string;
  readonly userId: string;
  readonly groups: readonly string[];
  readonly traceparent?: string;
}

export interface ProcessClientOptions {
  /** Temporal client of a namespace; `namespaceFor` picks it per tenant tier. */
  readonly temporal: Client | ((namespace: string) => Client);
  /** Namespace of a tenant (default: `default`). */
  readonly namespaceFor?: (tenantId: string) => string;
  /** Task queue of the process primitive's workers. */
  readonly taskQueue: string;
  readonly plans: PlanSource;
  /** Applied to every instance started (tests use a low continue-as-new threshold). */
  readonly instanceOptions?: InstanceOptions;
  /**
   * The published message and signal start events, and the receipts of message ids. Absent:
   * messages and signals only reach waiting instances, and a message id is refused.
   */
  readonly startTriggers?: StartTriggers;
}

/** A message for {@link ProcessClient.correlateMessage}. */
export interface CorrelatedMessage {
  readonly name: string;
  readonly correlationKey: string;
  readonly payload?: Readonly<Record<string, unknown>>;
  /** Deliver to this instance (buffered until a catch event takes it). */
  readonly instanceId?: string;
  /** Makes the call idempotent: a repeated call with the id answers the first one's answer. */
  readonly messageId?: string;
}

export interface StartProcessInput {
  readonly definition: DefinitionRef;
  readonly version: number | 'latest';
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly businessKey?: string;
  /**
   * Makes the start idempotent: every start with this key (in the caller's tenant) answers the
   * same instance, running or ended, and the key used with another request is
   * `failed_precondition`.
   */
  readonly idempotencyKey?: string;
}

/** A process instance as listed. */
export interface InstanceSummary {
  readonly instanceId: string;
  readonly status: InstanceStatus;
  readonly definition: string;
  readonly version: number;
  readonly businessKey: string;
  readonly startedAt: Date;
  readonly closedAt?: Date;
}

/** A process instance with its live state (when a worker can answer the query). */
export interface InstanceDetails extends InstanceSummary {
  readonly state?: InstanceState;
  readonly failure?: string;
}

export interface ListFilter {
  readonly definition?: string;
  readonly status?: InstanceStatus;
  readonly businessKey?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface OpenUserTask extends UserTaskView {
  readonly instanceId: string;
  readonly definition: string;
}

/** ProcessService operations over Temporal, scoped to the caller's tenant. */
export interface ProcessClient {
  start(
    caller: Caller,
    input: StartProcessInput,
  ): Promise<{ instanceId: string; definition: ProcessRef }>;
  get(caller: Caller, instanceId: string): Promise<InstanceDetails>;
  list(
    caller: Caller,
    filter?: ListFilter,
  ): Promise<{ instances: InstanceSummary[]; nextPageToken: string }>;
  listUserTasks(caller: Caller, filter?: { readonly instanceId?: string }): Promise<OpenUserTask[]>;
  completeUserTask(
    caller: Caller,
    instanceId: string,
    taskId: string,
    data: Readonly<Record<string, unknown>>,
  ): Promise<void>;
  /**
   * Delivers a message to the instance waiting for it or, when none waits, starts an instance of
   * every definition whose process-level message start event takes it (`started`).
   */
  correlateMessage(caller: Caller, message: CorrelatedMessage): Promise<MessageReceipt>;
  /**
   * Broadcasts a signal in the caller's tenant: every instance waiting for it catches it (its
   * payload merged into the variables where it is caught), and every definition with a
   * process-level signal start event of that name starts an instance with the payload as its
   * variables.
   */
  broadcast(
    caller: Caller,
    signal: { readonly name: string; readonly payload?: Readonly<Record<string, unknown>> },
  ): Promise<{ delivered: number; startedInstanceIds: string[] }>;
  /**
   * Delivers a signal an instance threw to every other running instance of its tenant waiting
   * for it (the thrower delivers it to itself) and starts the definitions that start on it;
   * answers how many instances it reached.
   */
  broadcastSignal(broadcast: SignalBroadcast): Promise<number>;
  cancel(caller: Caller, instanceId: string, reason?: string): Promise<void>;
}

const notFound = (): AmeideError =>
  new AmeideError(ErrorCode.NotFound, 'process instance not found', {
    reason: 'INSTANCE_NOT_FOUND',
    domain: 'ameide.process',
  });

function translate(err: unknown): unknown {
  if (isAmeideError(err)) return err;
  if (err instanceof WorkflowNotFoundError) return notFound();
  if (err instanceof Error && /not found/i.test(err.message) && /workflow/i.test(err.message))
    return notFound();
  return err;
}

/** Whether a listed execution is the tenant's: the query says so, this re-checks the answer. */
function ownedBy(
  tenantId: string,
  info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes' | 'workflowId'>,
): boolean {
  return (
    info.workflowId.startsWith(`${tenantId}:`) &&
    info.typedSearchAttributes.get(SA.tenant) === tenantId
  );
}

const executionStatus: Record<string, InstanceStatus> = {
  RUNNING: 'RUNNING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  TERMINATED: 'CANCELLED',
  TIMED_OUT: 'FAILED',
  CONTINUED_AS_NEW: 'RUNNING',
};

/** The operation an idempotency key of a start belongs to. */
const START_COMMAND = 'ameide.process.v1.ProcessService/StartProcess';
/** Memo of a keyed start: the request's fingerprint and the version it started. */
const START_MEMO = 'ameide.start';
/** Namespace of the instance ids keyed starts get (UUID version 5 of tenant and key). */
const KEYED_INSTANCES = '0b6f3e52-3c1d-4e8a-a1f7-5d9c2b7e4f10';
/** Namespace of the ids of instances a message or signal with an id starts (tenant, definition, id). */
const TRIGGERED_INSTANCES = '6a0f7c1e-2b4d-4c5e-9f8a-3d2e1b0c9a87';
/** The operation a message id belongs to. */
const CORRELATE_COMMAND = 'ameide.process.v1.ProcessService/CorrelateMessage';

/** The receipt of a message id, with the events kit's reuse error said in the message's terms. */
async function recall(
  triggers: StartTriggers,
  tenantId: string,
  message: Idempotency,
): Promise<MessageReceipt | undefined> {
  return triggers.recall(tenantId, message).catch((err: unknown) => {
    throw messageIdReused(err, message);
  });
}

async function keep(
  triggers: StartTriggers,
  tenantId: string,
  message: Idempotency,
  receipt: MessageReceipt,
): Promise<MessageReceipt> {
  return triggers.keep(tenantId, message, receipt).catch((err: unknown) => {
    throw messageIdReused(err, message);
  });
}

function messageIdReused(err: unknown, message: Idempotency): unknown {
  if (!isAmeideError(err) || err.reason !== 'IDEMPOTENCY_KEY_REUSED') return err;
  return new AmeideError(
    ErrorCode.FailedPrecondition,
    `message id ${message.key} was already used for another message`,
    {
      reason: 'MESSAGE_ID_REUSED',
      domain: 'ameide.process',
      fieldViolations: [{ field: 'message_id', description: 'use a new id per distinct message' }],
    },
  );
}

const noSubscriber = (message: CorrelatedMessage): AmeideError =>
  new AmeideError(
    ErrorCode.NotFound,
    `no process instance waits for message ${message.name} with key ${message.correlationKey}`,
    { reason: 'NO_SUBSCRIBER', domain: 'ameide.process' },
  );

/** The state a completed run returned with its result; undefined for results of older runs. */
async function finalStateOf(handle: WorkflowHandle): Promise<InstanceState | undefined> {
  try {
    return ((await handle.result()) as ProcessResult | undefined)?.state;
  } catch {
    return undefined;
  }
}

function summaryOf(
  tenantId: string,
  info: Pick<
    WorkflowExecutionInfo,
    'typedSearchAttributes' | 'status' | 'workflowId' | 'startTime' | 'closeTime'
  >,
): InstanceSummary {
  const sa = info.typedSearchAttributes;
  const recorded = sa.get(SA.status) as InstanceStatus | undefined;
  const fromExecution = executionStatus[info.status.name] ?? 'RUNNING';
  return {
    instanceId: instanceIdOf(tenantId, info.workflowId),
    status:
      info.status.name === 'RUNNING' || recorded === undefined || recorded === 'RUNNING'
        ? fromExecution
        : recorded,
    definition: sa.get(SA.definition) ?? '',
    version: sa.get(SA.version) ?? 0,
    businessKey: sa.get(SA.businessKey) ?? '',
    startedAt: info.startTime,
    ...(info.closeTime ? { closedAt: info.closeTime } : {}),
  };
}

/** Creates the tenant-scoped process operations the ProcessService and the CLI use. */
export function createProcessClient(options: ProcessClientOptions): ProcessClient {
  const namespaceFor = options.namespaceFor ?? (() => 'default');
  const clients = new Map<string, Client>();
  const temporalFor = (tenantId: string): Client => {
    if (typeof options.temporal !== 'function') return options.temporal;
    const ns = namespaceFor(tenantId);
    let c = clients.get(ns);
    if (!c) {
      c = options.temporal(ns);
      clients.set(ns, c);
    }
    return c;
  };
  const handleOf = (caller: Caller, instanceId: string) =>
    temporalFor(caller.tenantId).workflow.getHandle(workflowIdOf(caller.tenantId, instanceId));

  /** The start events of `kind` and `name`, each payload checked up front against its plan. */
  const startsOf = async (
    tenantId: string,
    kind: StartTriggerKind,
    name: string,
    payload: Readonly<Record<string, unknown>>,
  ): Promise<StartTrigger[]> => {
    const triggers = options.startTriggers;
    if (!triggers) return [];
    const found = await triggers.find(tenantId, kind, name);
    for (const trigger of found) {
      const { plan } = await options.plans.load(tenantId, trigger.ref);
      // Without an output mapping the payload is the variables: refuse it before any start.
      const node = plan.nodes[trigger.node];
      const mapped =
        node?.type === 'startEvent' &&
        node.trigger.type === 'message' &&
        node.trigger.message.output;
      if (!mapped) checkStartVariables(plan, payload, 'payload');
    }
    return found;
  };

  /** Starts one instance per start event; with an id, each at most once (its workflow id). */
  const startAll = async (
    tenantId: string,
    actor: ProcessInput['actor'],
    starts: readonly StartTrigger[],
    payload: Readonly<Record<string, unknown>>,
    id: string | undefined,
    traceparent?: string,
  ): Promise<string[]> => {
    const temporal = temporalFor(tenantId);
    const ids: string[] = [];
    for (const trigger of starts) {
      const ref = trigger.ref;
      const instanceId =
        id === undefined
          ? randomUUID()
          : uuidv5(`${tenantId}\n${ref.definitionId}\n${trigger.node}\n${id}`, TRIGGERED_INSTANCES);
      const input: ProcessInput = {
        actor,
        definition: ref,
        variables: {},
        businessKey: '',
        start: { node: trigger.node, payload: { ...payload } },
        ...(traceparent ? { traceparent } : {}),
        ...(options.instanceOptions ? { options: options.instanceOptions } : {}),
      };
      try {
        await temporal.workflow.start(PROCESS_WORKFLOW_TYPE, {
          taskQueue: options.taskQueue,
          workflowId: workflowIdOf(tenantId, instanceId),
          args: [input],
          typedSearchAttributes: startSearchAttributes(tenantId, ref, ''),
          ...(id === undefined
            ? {}
            : { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }),
        });
      } catch (err) {
        // Started by an earlier attempt with the same id: that is the instance.
        if (id === undefined || !(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      ids.push(instanceId);
    }
    return ids;
  };

  /**
   * The tenant's running instances waiting for `subscription`. A KeywordList match is looser than
   * equality on SQLite visibility (FTS5 folds case, and values are stored joined by U+2661 and
   * listed split at it): each execution's own search attributes decide.
   */
  async function* subscribed(tenantId: string, subscription: string, pageSize: number) {
    const temporal = temporalFor(tenantId);
    const query = subscribersQuery(tenantId, subscription);
    for await (const info of temporal.workflow.list({ query, pageSize })) {
      if (!ownedBy(tenantId, info)) continue;
      const current = await temporal.workflow
        .getHandle(info.workflowId)
        .describe()
        .catch(() => undefined);
      if (current?.typedSearchAttributes.get(SA.messages)?.includes(subscription))
        yield info.workflowId;
    }
  }

  /** Delivers a signal to the tenant's instances waiting for it (but `except`); answers how many. */
  const deliverSignal = async (
    tenantId: string,
    signal: string,
    payload: Readonly<Record<string, unknown>>,
    except?: string,
  ): Promise<number> => {
    const temporal = temporalFor(tenantId);
    const subscription = messageSubscriptionOf(`${SIGNAL_PREFIX}${signal}`, SIGNAL_KEY);
    const delivery = {
      name: signal,
      correlationKey: SIGNAL_KEY,
      payload: { ...payload },
      signal: true,
    };
    let reached = 0;
    for await (const workflowId of subscribed(tenantId, subscription, 100)) {
      if (workflowId === except) continue;
      // An instance that ended since it was listed misses the signal, as it would have anyway.
      const sent = await temporal.workflow
        .getHandle(workflowId)
        .signal(messageSignal, delivery)
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return false;
            throw err;
          },
        );
      if (sent) reached++;
    }
    return reached;
  };

  /** The instance waiting for exactly this message, if one does. */
  const subscriberOf = async (tenantId: string, name: string, key: string) => {
    for await (const workflowId of subscribed(tenantId, messageSubscriptionOf(name, key), 10))
      return workflowId;
    return undefined;
  };

  /** Delivers the message, or starts what starts on it. */
  const correlate = async (
    caller: Caller,
    message: CorrelatedMessage,
    payload: Record<string, unknown>,
    messageId: string | undefined,
  ): Promise<MessageReceipt> => {
    const temporal = temporalFor(caller.tenantId);
    const workflowId =
      message.instanceId !== undefined
        ? workflowIdOf(caller.tenantId, message.instanceId)
        : await subscriberOf(caller.tenantId, message.name, message.correlationKey);
    if (workflowId === undefined) {
      const starts = await startsOf(caller.tenantId, 'message', message.name, payload);
      if (starts.length === 0) throw noSubscriber(message);
      const instanceIds = await startAll(
        caller.tenantId,
        { tenantId: caller.tenantId, orgId: caller.orgId, userId: caller.userId },
        starts,
        payload,
        messageId,
        caller.traceparent,
      );
      return { instanceIds, started: true };
    }
    const delivery = {
      name: message.name,
      correlationKey: message.correlationKey,
      payload,
      ...(messageId !== undefined ? { messageId } : {}),
    };
    try {
      await temporal.workflow.getHandle(workflowId).signal(messageSignal, delivery);
    } catch (err) {
      throw translate(err);
    }
    return { instanceIds: [instanceIdOf(caller.tenantId, workflowId)], started: false };
  };

  return {
    async start(caller, input) {
      // A business key ListProcessInstances could never find is refused up front.
      if (input.businessKey) assertSearchable(input.businessKey, 'business_key');
      const idempotency = idempotencyOf({
        key: input.idempotencyKey,
        command: START_COMMAND,
        request: canonicalJson({
          definition: input.definition,
          version: input.version,
          variables: input.variables ?? {},
          businessKey: input.businessKey ?? '',
        }),
      });
      // One read: the version and its plan, checked against its hash (and cached for the worker).
      const { ref, plan } = await options.plans.resolve(
        caller.tenantId,
        input.definition,
        input.version,
      );
      const variables = { ...(input.variables ?? {}) };
      checkStartVariables(plan, variables);
      // A keyed start names its instance after the key: Temporal's workflow id is then what
      // makes a repeated start find the first one.
      const instanceId = idempotency
        ? uuidv5(`${caller.tenantId}\n${idempotency.key}`, KEYED_INSTANCES)
        : randomUUID();
      const businessKey = input.businessKey ?? '';
      const workflowInput: ProcessInput = {
        actor: { tenantId: caller.tenantId, orgId: caller.orgId, userId: caller.userId },
        definition: ref,
        variables,
        businessKey,
        ...(caller.traceparent ? { traceparent: caller.traceparent } : {}),
        ...(options.instanceOptions ? { options: options.instanceOptions } : {}),
      };
      const temporal = temporalFor(caller.tenantId);
      try {
        await temporal.workflow.start(PROCESS_WORKFLOW_TYPE, {
          taskQueue: options.taskQueue,
          workflowId: workflowIdOf(caller.tenantId, instanceId),
          args: [workflowInput],
          typedSearchAttributes: startSearchAttributes(caller.tenantId, ref, businessKey),
          ...(idempotency
            ? {
                // Never a second run under the key, even once the first has ended.
                workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
                memo: { [START_MEMO]: { fingerprint: idempotency.fingerprint, definition: ref } },
              }
            : {}),
        });
      } catch (err) {
        if (!idempotency || !(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const info = await temporal.workflow.getHandle(err.workflowId).describe();
        const started = info.memo?.[START_MEMO] as
          { fingerprint?: string; definition?: ProcessRef } | undefined;
        if (started?.fingerprint !== idempotency.fingerprint || !started.definition)
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `idempotency key ${idempotency.key} was already used to start another instance`,
            {
              reason: 'IDEMPOTENCY_KEY_REUSED',
              domain: 'ameide.process',
              fieldViolations: [
                {
                  field: 'idempotency-key',
                  description: 'use a new key per distinct start',
                },
              ],
            },
          );
        return { instanceId, definition: started.definition };
      }
      return { instanceId, definition: ref };
    },

    async get(caller, instanceId) {
      const handle = handleOf(caller, instanceId);
      try {
        const info = await handle.describe();
        const summary = summaryOf(caller.tenantId, info);
        // A completed instance keeps its final state in its result: reading it needs no worker
        // (a query of a closed run replays its whole history, and under load that took longer
        // than the query deadline, so the instance read as completed with no audit trail).
        let state = summary.status === 'COMPLETED' ? await finalStateOf(handle) : undefined;
        if (!state) {
          try {
            state = await queryState(temporalFor(caller.tenantId), handle, instanceId);
          } catch {
            // No worker to answer (or the run cannot replay): the visibility view still answers.
          }
        }
        let failure: string | undefined;
        if (summary.status === 'FAILED') {
          try {
            await handle.result();
          } catch (err) {
            let cause: unknown = err instanceof WorkflowFailedError ? err.cause : err;
            while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
            failure = cause instanceof Error ? cause.message : String(cause);
          }
        }
        return {
          ...summary,
          ...(state
            ? { status: state.status === 'RUNNING' ? summary.status : state.status, state }
            : {}),
          ...(failure !== undefined ? { failure } : {}),
        };
      } catch (err) {
        throw translate(err);
      }
    },

    async list(caller, filter = {}) {
      const query = instancesQuery(caller.tenantId, filter);
      const pageSize = Math.min(Math.max(filter.pageSize ?? 50, 1), 500);
      const offset = filter.pageToken
        ? Number.parseInt(Buffer.from(filter.pageToken, 'base64url').toString('utf8'), 10)
        : 0;
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw AmeideError.invalidArgument('page_token is not valid', [
          { field: 'page_token', description: 'use the token ListProcessInstances answered' },
        ]);
      }
      const instances: InstanceSummary[] = [];
      let seen = 0;
      let more = false;
      for await (const info of temporalFor(caller.tenantId).workflow.list({
        query,
        pageSize: Math.min(pageSize + offset + 1, 1000),
      })) {
        if (!ownedBy(caller.tenantId, info)) continue;
        if (seen++ < offset) continue;
        if (instances.length === pageSize) {
          more = true;
          break;
        }
        instances.push(summaryOf(caller.tenantId, info));
      }
      return {
        instances,
        nextPageToken: more ? Buffer.from(String(offset + pageSize)).toString('base64url') : '',
      };
    },

    async listUserTasks(caller, filter = {}) {
      const workflowIds: string[] = [];
      if (filter.instanceId !== undefined)
        workflowIds.push(workflowIdOf(caller.tenantId, filter.instanceId));
      else {
        const candidates = taskCandidatesOf(caller.userId, caller.groups);
        const query = userTasksQuery(caller.tenantId, candidates);
        for await (const info of temporalFor(caller.tenantId).workflow.list({
          query,
          pageSize: 200,
        })) {
          // A KeywordList match may be loose (see correlateMessage); the state decides below.
          if (ownedBy(caller.tenantId, info)) workflowIds.push(info.workflowId);
          if (workflowIds.length >= 200) break;
        }
      }
      const temporal = temporalFor(caller.tenantId);
      // In parallel: an instance no worker answers for costs the deadline once, not per instance.
      const states = await Promise.allSettled(
        workflowIds.map((workflowId) =>
          queryState(
            temporal,
            temporal.workflow.getHandle(workflowId),
            instanceIdOf(caller.tenantId, workflowId),
          ),
        ),
      );
      const out: OpenUserTask[] = [];
      for (const [i, settled] of states.entries()) {
        const workflowId = workflowIds[i]!;
        if (settled.status === 'rejected') {
          if (filter.instanceId !== undefined) throw translate(settled.reason);
          continue;
        }
        const state = settled.value;
        for (const t of state.userTasks) {
          const mine =
            (t.assignee === undefined && t.candidateGroups.length === 0) ||
            t.assignee === caller.userId ||
            t.candidateGroups.some((g) => caller.groups.includes(g));
          if (mine)
            out.push({
              ...t,
              instanceId: instanceIdOf(caller.tenantId, workflowId),
              definition: state.definition.name,
            });
        }
      }
      return out;
    },

    async completeUserTask(caller, instanceId, taskId, data) {
      const handle = handleOf(caller, instanceId);
      try {
        await updateWithin(temporalFor(caller.tenantId), instanceId, () =>
          handle.executeUpdate(completeUserTaskUpdate, {
            args: [
              { taskId, userId: caller.userId, groups: [...caller.groups], data: { ...data } },
            ],
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const cause = err.cause;
          if (cause.type === TASK_REJECTIONS.notOpen)
            throw new AmeideError(ErrorCode.FailedPrecondition, cause.message, {
              reason: 'TASK_NOT_OPEN',
              domain: 'ameide.process',
            });
          if (cause.type === TASK_REJECTIONS.notAllowed)
            throw new AmeideError(ErrorCode.PermissionDenied, cause.message, {
              reason: 'TASK_NOT_ALLOWED',
              domain: 'ameide.process',
            });
          if (cause.type === TASK_REJECTIONS.invalidData) {
            const violations = (cause.details?.[0] ?? []) as Array<{
              field: string;
              description: string;
            }>;
            throw AmeideError.invalidArgument(
              cause.message,
              violations.map((v) => ({ field: `data.${v.field}`, description: v.description })),
              { reason: 'TASK_DATA_INVALID', domain: 'ameide.process' },
            );
          }
        }
        throw translate(err);
      }
    },

    async correlateMessage(caller, message) {
      const payload = { ...(message.payload ?? {}) };
      const idempotency = idempotencyOf({
        key: message.messageId,
        command: CORRELATE_COMMAND,
        field: 'message_id',
        request: canonicalJson({
          name: message.name,
          correlationKey: message.correlationKey,
          payload,
          instanceId: message.instanceId ?? '',
        }),
      });
      const triggers = options.startTriggers;
      if (idempotency && !triggers)
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          'this process service keeps no message receipts, so a message id cannot be honoured',
          {
            reason: 'MESSAGE_IDS_UNSUPPORTED',
            domain: 'ameide.process',
            fieldViolations: [{ field: 'message_id', description: 'leave it empty here' }],
          },
        );
      if (idempotency && triggers) {
        const earlier = await recall(triggers, caller.tenantId, idempotency);
        if (earlier) return earlier;
      }
      const receipt = await correlate(caller, message, payload, idempotency?.key);
      return idempotency && triggers
        ? keep(triggers, caller.tenantId, idempotency, receipt)
        : receipt;
    },

    async broadcast(caller, signal) {
      const payload = { ...(signal.payload ?? {}) };
      const starts = await startsOf(caller.tenantId, 'signal', signal.name, payload);
      const delivered = await deliverSignal(caller.tenantId, signal.name, payload);
      const startedInstanceIds = await startAll(
        caller.tenantId,
        { tenantId: caller.tenantId, orgId: caller.orgId, userId: caller.userId },
        starts,
        payload,
        undefined,
        caller.traceparent,
      );
      return { delivered, startedInstanceIds };
    },

    async broadcastSignal(broadcast) {
      const starts = await startsOf(broadcast.tenantId, 'signal', broadcast.signal, {});
      const delivered = await deliverSignal(
        broadcast.tenantId,
        broadcast.signal,
        {},
        broadcast.fromWorkflowId,
      );
      const started = await startAll(
        broadcast.tenantId,
        { tenantId: broadcast.tenantId, orgId: '', userId: `instance:${broadcast.fromWorkflowId}` },
        starts,
        {},
        broadcast.broadcastId,
      );
      return delivered + started.length;
    },

    async cancel(caller, instanceId) {
      const handle = handleOf(caller, instanceId);
      try {
        const info = await handle.describe();
        if (info.status.name !== 'RUNNING') {
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `process instance ${instanceId} is not running`,
            {
              reason: 'INSTANCE_CLOSED',
              domain: 'ameide.process',
            },
          );
        }
        await handle.cancel();
      } catch (err) {
        throw translate(err);
      }
    },
  };
}
