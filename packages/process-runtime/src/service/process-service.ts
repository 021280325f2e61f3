import { randomBytes } from 'node:crypto';
import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { AmeideError } from '@ameide/errors';
import { getRequestContext } from '@ameide/context';
import type {
  Caller,
  InstanceDetails,
  InstanceSummary,
  OpenUserTask,
  ProcessClient,
} from '../client/process-client.js';
import type { InstanceStatus as Status } from '../workflow/types.js';
import {
  AuditEntrySchema,
  DefinitionRefSchema,
  InstanceStatus,
  ProcessInstanceSchema,
  ProcessService,
  TokenSchema,
  UserTaskSchema,
  type ProcessInstance,
  type UserTask,
} from '@ameide/proto';
import { checkPayloadSize } from './payload-limit.js';

const statusToProto: Record<Status, InstanceStatus> = {
  RUNNING: InstanceStatus.RUNNING,
  COMPLETED: InstanceStatus.COMPLETED,
  FAILED: InstanceStatus.FAILED,
  CANCELLED: InstanceStatus.CANCELLED,
};
const statusFromProto = new Map<InstanceStatus, Status>(
  Object.entries(statusToProto).map(([k, v]) => [v, k as Status]),
);

function callerOf(ctx: HandlerContext): Caller {
  const rc = getRequestContext(ctx);
  // Without a traceparent from the caller, the instance continues the host's trace of this
  // request: its service tasks then carry it, and the domains record its trace id as their
  // events' correlation id (which joins orders to the instance that made them).
  const traceparent =
    ctx.requestHeader.get('traceparent') ??
    (/^[0-9a-f]{32}$/.test(rc.traceId) && !/^0+$/.test(rc.traceId)
      ? `00-${rc.traceId}-${randomBytes(8).toString('hex')}-01`
      : undefined);
  return {
    tenantId: rc.tenantId,
    orgId: rc.orgId,
    userId: rc.userId,
    groups: rc.groups,
    ...(traceparent ? { traceparent } : {}),
  };
}

function required(value: string, field: string): string {
  if (value.trim() === '')
    throw AmeideError.invalidArgument(`${field} is required`, [
      { field, description: 'must not be empty' },
    ]);
  return value;
}

function taskToProto(t: OpenUserTask): UserTask {
  return create(UserTaskSchema, {
    taskId: t.taskId,
    instanceId: t.instanceId,
    nodeId: t.nodeId,
    title: t.title,
    assignee: t.assignee ?? '',
    candidateGroups: [...t.candidateGroups],
    ...(t.form ? { form: t.form as JsonObject } : {}),
    createdAt: timestampFromDate(new Date(t.createdAt)),
    ...(t.dueAt ? { dueAt: timestampFromDate(new Date(t.dueAt)) } : {}),
    definitionName: t.definition,
  });
}

function summaryToProto(s: InstanceSummary): ProcessInstance {
  return create(ProcessInstanceSchema, {
    instanceId: s.instanceId,
    status: statusToProto[s.status],
    definition: { name: s.definition, version: s.version },
    businessKey: s.businessKey,
    startedAt: timestampFromDate(s.startedAt),
    ...(s.closedAt ? { closedAt: timestampFromDate(s.closedAt) } : {}),
  });
}

function detailsToProto(d: InstanceDetails): ProcessInstance {
  const p = summaryToProto(d);
  const st = d.state;
  if (!st) return p;
  p.definition = create(DefinitionRefSchema, {
    definitionId: st.definition.definitionId,
    name: st.definition.name,
    version: st.definition.version,
    planHash: st.definition.planHash,
  });
  p.startedBy = st.startedBy;
  p.tokens = st.tokens.map((t) =>
    create(TokenSchema, {
      id: t.id,
      nodeId: t.nodeId,
      scope: t.scope,
      waitingFor: t.waitingFor ?? '',
    }),
  );
  p.variables = JSON.parse(JSON.stringify(st.variables)) as JsonObject;
  p.userTasks = st.userTasks.map((t) =>
    taskToProto({ ...t, instanceId: d.instanceId, definition: st.definition.name }),
  );
  p.audit = st.audit.map((a) =>
    create(AuditEntrySchema, {
      seq: BigInt(a.seq),
      at: timestampFromDate(new Date(a.at)),
      event: a.event,
      nodeId: a.nodeId ?? '',
      by: a.by ?? '',
      detail: a.detail ?? '',
    }),
  );
  p.errorCode = st.errorCode ?? '';
  p.errorMessage = st.errorMessage ?? d.failure ?? '';
  return p;
}

/**
 * Connect routes of `ameide.process.v1.ProcessService` for the chassis host
 * (`startServiceHost({ services: [processServiceRoutes(client)] })`). The tenant, user and
 * groups come from the verified RequestContext only.
 */
export function processServiceRoutes(processes: ProcessClient): (router: ConnectRouter) => void {
  return (router) => {
    router.service(ProcessService, {
      async startProcess(req, ctx) {
        const def = req.definition;
        if (def.case === undefined) {
          throw AmeideError.invalidArgument('definition is required', [
            { field: 'definition', description: 'set definition_name or definition_id' },
          ]);
        }
        if (req.version < 0)
          throw AmeideError.invalidArgument('version must be >= 0', [
            { field: 'version', description: '0 = latest' },
          ]);
        checkPayloadSize(req.variables, 'variables');
        const started = await processes.start(callerOf(ctx), {
          definition:
            def.case === 'definitionName'
              ? { name: required(def.value, 'definition_name') }
              : { id: required(def.value, 'definition_id') },
          version: req.version === 0 ? 'latest' : req.version,
          variables: req.variables ?? {},
          businessKey: req.businessKey,
          // The `idempotency-key` header makes a repeated start answer the first instance.
          ...(ctx.requestHeader.has('idempotency-key')
            ? { idempotencyKey: ctx.requestHeader.get('idempotency-key')! }
            : {}),
        });
        return { instanceId: started.instanceId, definition: { ...started.definition } };
      },
      async getProcessInstance(req, ctx) {
        const d = await processes.get(callerOf(ctx), required(req.instanceId, 'instance_id'));
        return { instance: detailsToProto(d) };
      },
      async listProcessInstances(req, ctx) {
        const status =
          req.status === InstanceStatus.UNSPECIFIED ? undefined : statusFromProto.get(req.status);
        const page = await processes.list(callerOf(ctx), {
          ...(req.definitionName ? { definition: req.definitionName } : {}),
          ...(status ? { status } : {}),
          ...(req.businessKey ? { businessKey: req.businessKey } : {}),
          ...(req.pageSize > 0 ? { pageSize: req.pageSize } : {}),
          ...(req.pageToken ? { pageToken: req.pageToken } : {}),
        });
        return { instances: page.instances.map(summaryToProto), nextPageToken: page.nextPageToken };
      },
      async listUserTasks(req, ctx) {
        const tasks = await processes.listUserTasks(
          callerOf(ctx),
          req.instanceId ? { instanceId: req.instanceId } : {},
        );
        return { tasks: tasks.map(taskToProto) };
      },
      async completeUserTask(req, ctx) {
        checkPayloadSize(req.data, 'data');
        await processes.completeUserTask(
          callerOf(ctx),
          required(req.instanceId, 'instance_id'),
          required(req.taskId, 'task_id'),
          req.data ?? {},
        );
        return {};
      },
      async correlateMessage(req, ctx) {
        checkPayloadSize(req.payload, 'payload');
        const answer = await processes.correlateMessage(callerOf(ctx), {
          name: required(req.messageName, 'message_name'),
          correlationKey: required(req.correlationKey, 'correlation_key'),
          payload: req.payload ?? {},
          ...(req.instanceId ? { instanceId: req.instanceId } : {}),
          ...(req.messageId ? { messageId: req.messageId } : {}),
        });
        return { instanceIds: [...answer.instanceIds], started: answer.started };
      },
      async broadcastSignal(req, ctx) {
        checkPayloadSize(req.payload, 'payload');
        const answer = await processes.broadcast(callerOf(ctx), {
          name: required(req.signalName, 'signal_name'),
          payload: req.payload ?? {},
        });
        return { delivered: answer.delivered, startedInstanceIds: answer.startedInstanceIds };
      },
      async cancelProcess(req, ctx) {
        await processes.cancel(callerOf(ctx), required(req.instanceId, 'instance_id'), req.reason);
        return {};
      },
    });
  };
}
