import {
  MONTHS,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { ExecutionPlan, PlanTimer } from '@ameide/process-definition/plan';
import { startSearchAttributes } from '../workflow/search-attributes.js';
import { PROCESS_WORKFLOW_TYPE } from '../workflow/definitions.js';
import type { ProcessInput, ProcessRef } from '../workflow/types.js';

/** A timer start event as a Temporal Schedule: when it fires, and how often at most. */
export interface StartScheduleSpec {
  readonly spec: ScheduleSpec;
  /** Set for a bounded cycle (`R5/…`) or a date: the schedule starts this many instances. */
  readonly remainingActions?: number;
}

/**
 * The Schedule spec of a timer start event, or why it has none: a cycle every fixed interval
 * (from its start, `R/2026-01-05T07:00:00Z/P1D`), bounded by its repetitions; a date once.
 * A cycle of months or years has no fixed length, and a duration is no point in time.
 */
export function scheduleSpecOf(timer: PlanTimer): StartScheduleSpec | { readonly refused: string } {
  switch (timer.type) {
    case 'cycle': {
      if (timer.intervalMs === undefined || timer.intervalMs <= 0)
        return { refused: `the cycle ${timer.source} has no fixed length (months or years)` };
      const every = timer.intervalMs;
      return {
        spec: {
          intervals: [
            {
              every,
              ...(timer.startEpochMs !== undefined ? { offset: timer.startEpochMs % every } : {}),
            },
          ],
          ...(timer.startEpochMs !== undefined ? { startAt: new Date(timer.startEpochMs) } : {}),
        },
        ...(timer.repetitions !== null ? { remainingActions: timer.repetitions } : {}),
      };
    }
    case 'date': {
      const at = new Date(timer.epochMs);
      return {
        spec: {
          calendars: [
            {
              year: at.getUTCFullYear(),
              month: MONTHS[at.getUTCMonth()]!,
              dayOfMonth: at.getUTCDate(),
              hour: at.getUTCHours(),
              minute: at.getUTCMinutes(),
              second: at.getUTCSeconds(),
            },
          ],
        },
        remainingActions: 1,
      };
    }
    case 'duration':
      return { refused: `a start event's duration ${timer.source} is not a point in time` };
  }
}

/** Options of {@link createStartSchedules}. */
export interface StartSchedulesOptions {
  /** The client of a namespace. */
  readonly temporal: (namespace: string) => Client;
  readonly namespaceFor: (tenantId: string) => string;
  readonly taskQueue: string;
}

/** What a sync did, per timer start event. */
export interface StartScheduleChange {
  readonly scheduleId: string;
  readonly change: 'created' | 'replaced' | 'removed' | 'refused';
  readonly reason?: string;
}

/**
 * The Temporal Schedules that start a process definition's instances from its timer start
 * events: one per start event, named `ameide-start:<tenant>:<definition id>:<node>`, in the
 * tenant's namespace. Publishing a version replaces them with that version's; archiving the
 * definition removes them. Each scheduled instance is pinned to the version like any other.
 */
export interface StartSchedules {
  /** Makes the schedules those of this version (`plan` undefined: none). Idempotent. */
  sync(
    tenantId: string,
    definitionId: string,
    version: { readonly ref: ProcessRef; readonly plan: ExecutionPlan } | undefined,
  ): Promise<StartScheduleChange[]>;
}

const PREFIX = 'ameide-start';

export function createStartSchedules(options: StartSchedulesOptions): StartSchedules {
  return {
    async sync(tenantId, definitionId, version) {
      const client = options.temporal(options.namespaceFor(tenantId));
      const prefix = `${PREFIX}:${tenantId}:${definitionId}:`;
      const wanted = new Map<string, StartScheduleSpec & { readonly node: string }>();
      const changes: StartScheduleChange[] = [];
      const plan = version?.plan;
      const processScope = Object.values(plan?.scopes ?? {}).find((s) => s.parent === undefined);
      for (const nodeId of processScope?.eventStarts ?? []) {
        const node = plan!.nodes[nodeId];
        if (node?.type !== 'startEvent' || node.trigger.type !== 'timer') continue;
        const spec = scheduleSpecOf(node.trigger.timer);
        if ('refused' in spec)
          changes.push({ scheduleId: prefix + nodeId, change: 'refused', reason: spec.refused });
        else wanted.set(prefix + nodeId, { ...spec, node: nodeId });
      }
      const existing: string[] = [];
      for await (const s of client.schedule.list())
        if (s.scheduleId.startsWith(prefix)) existing.push(s.scheduleId);
      for (const scheduleId of existing)
        if (!wanted.has(scheduleId)) {
          await client.schedule
            .getHandle(scheduleId)
            .delete()
            .catch((err: unknown) => {
              if (!(err instanceof ScheduleNotFoundError)) throw err;
            });
          changes.push({ scheduleId, change: 'removed' });
        }
      for (const [scheduleId, { spec, remainingActions, node }] of wanted) {
        const ref = version!.ref;
        const input: ProcessInput = {
          actor: { tenantId, orgId: '', userId: `schedule:${ref.name}` },
          definition: ref,
          variables: {},
          businessKey: '',
          // The instance starts at this timer start event, not at a none start the process has too.
          start: { node },
        };
        const schedule = {
          spec,
          action: {
            type: 'startWorkflow',
            workflowType: PROCESS_WORKFLOW_TYPE,
            // Temporal appends the scheduled time: `<tenant>:<definition>-<time>` is the instance.
            workflowId: `${tenantId}:${ref.name}-scheduled`,
            taskQueue: options.taskQueue,
            args: [input],
            typedSearchAttributes: startSearchAttributes(tenantId, ref, ''),
          },
          // Each firing is an instance of its own, whether or not the last one has ended.
          policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
          state: {
            note: `${ref.name} version ${ref.version}`,
            ...(remainingActions !== undefined ? { remainingActions } : {}),
          },
        } satisfies Omit<ScheduleOptions, 'scheduleId'>;
        // A new version replaces the old one's schedule whole (spec, action, remaining count).
        if (existing.includes(scheduleId)) {
          await client.schedule.getHandle(scheduleId).update(() => schedule);
          changes.push({ scheduleId, change: 'replaced' });
        } else {
          await client.schedule.create({ scheduleId, ...schedule, memo: { definition: ref } });
          changes.push({ scheduleId, change: 'created' });
        }
      }
      return changes;
    },
  };
}
