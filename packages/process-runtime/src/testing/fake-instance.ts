import { ProcessEngine } from '../workflow/engine/process-engine.js';
import { runInstance, type InstanceEnd } from '../workflow/engine/run-instance.js';
import type { InstanceOptions, ProcessInput, ProcessRef, ResumeState } from '../workflow/types.js';
import type { CompiledPlan } from './example-plans.js';
import { FakeWorkflowPort, type FakeWorld } from './fake-workflow-port.js';

/** A process instance run by the engine on a {@link FakeWorkflowPort}: no Temporal, no I/O. */
export interface FakeInstance {
  readonly engine: ProcessEngine;
  readonly port: FakeWorkflowPort;
  readonly input: ProcessInput;
  /** How the run ended (rejects with the cancellation when cancelled). */
  readonly end: Promise<InstanceEnd>;
  /** The end, once the run is over; `undefined` while it runs. */
  ended(): { readonly end?: InstanceEnd; readonly error?: unknown } | undefined;
  /** Completes the open task at `nodeId` as `by`, then settles. */
  complete(nodeId: string, data?: Record<string, unknown>, by?: string): Promise<void>;
  /** Nodes with a `completed` audit entry, in order. */
  completed(): Array<string | undefined>;
}

export interface FakeInstanceOptions {
  readonly variables?: Record<string, unknown>;
  readonly world?: FakeWorld;
  readonly businessKey?: string;
  readonly options?: InstanceOptions;
  readonly resume?: ResumeState;
  /** Default `alice` of tenant `acme`. */
  readonly userId?: string;
  readonly workflowId?: string;
  /** Start of the virtual clock (epoch ms). */
  readonly now?: number;
  /** Started by a call activity: escalations it does not catch go to its caller. */
  readonly parent?: boolean;
}

/** The pinned reference the fake instance starts with (version 1 of the plan's process id). */
export function refOf(compiled: CompiledPlan): ProcessRef {
  return {
    definitionId: `def-${compiled.plan.process.id}`,
    name: compiled.plan.process.id,
    version: 1,
    planHash: compiled.hash,
  };
}

/** Starts `compiled` on a fake port and settles it (it runs until its first wait). */
export async function startFakeInstance(
  compiled: CompiledPlan,
  o: FakeInstanceOptions = {},
): Promise<FakeInstance> {
  const input: ProcessInput = {
    actor: { tenantId: 'acme', orgId: 'acme', userId: o.userId ?? 'alice' },
    definition: refOf(compiled),
    variables: o.variables ?? {},
    businessKey: o.businessKey ?? '',
    ...(o.options ? { options: o.options } : {}),
    ...(o.resume ? { resume: o.resume } : {}),
  };
  const port = new FakeWorkflowPort(
    { loadPlan: () => compiled.json, ...o.world },
    {
      ...(o.now !== undefined ? { now: o.now } : {}),
      ...(o.workflowId ? { workflowId: o.workflowId } : {}),
    },
  );
  if (o.parent) port.hasParent = true;
  const engine = new ProcessEngine(input, port);
  let ended: { end?: InstanceEnd; error?: unknown } | undefined;
  const end = runInstance(engine);
  void end.then(
    (e) => (ended = { end: e }),
    (error: unknown) => (ended = { error }),
  );
  await port.settle();
  return {
    engine,
    port,
    input,
    end,
    ended: () => ended,
    async complete(nodeId, data = {}, by = input.actor.userId) {
      const task = engine.state.openTasks().find((t) => t.nodeId === nodeId);
      if (!task)
        throw new Error(
          `no open task at ${nodeId}; open: ${JSON.stringify(engine.state.openTasks())}`,
        );
      engine.completeTask(task.taskId, by, data);
      await port.settle();
    },
    completed: () => engine.state.audit.filter((a) => a.event === 'completed').map((a) => a.nodeId),
  };
}
