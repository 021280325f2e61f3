import type { PlanServiceCall } from '@ameide/process-definition/plan';
import type { AgentCallRequest, ServiceCallRequest, SignalBroadcast } from '../activity-types.js';
import type { BpmnError } from '../bpmn-errors.js';
import type {
  InstanceStatus,
  LoadedDecision,
  ProcessInput,
  ProcessRef,
  ProcessResult,
} from '../types.js';

/**
 * A cancellation scope. Every wait, activity and child started inside `run` (directly or in a
 * scope created there) is cancelled by `cancel()`, and so is the scope when the scope it was
 * created in is cancelled; a cancelled wait rejects with an error `isCancellation` accepts.
 */
export interface CancelScope {
  run<T>(fn: () => Promise<T>): Promise<T>;
  cancel(): void;
}

/** Timeout and retry of a service call, as the plan gives them. */
export type CallPolicy = Pick<PlanServiceCall, 'timeoutMs' | 'retry'>;

/** Visibility of an instance (search attributes); each call carries the fields that changed. */
export interface InstanceAttributes {
  readonly status?: InstanceStatus;
  /** `user:<id>`, `group:<name>` and `any` of the open user tasks, sorted. */
  readonly taskCandidates?: readonly string[];
  /** `<message name>:<correlation key>` of every message a token waits for, sorted. */
  readonly messages?: readonly string[];
}

/**
 * Everything the process engine needs from the machine it runs on: clock, durable waits,
 * cancellation scopes, activities, child instances and visibility. The Temporal workflow
 * implements it with `@temporalio/workflow` (`createTemporalPort`); unit tests with a fake that
 * drives time and activity results deterministically. The engine imports nothing else that
 * could do I/O, so it stays replayable.
 *
 * Determinism: the engine calls these in a fixed order for a given history, and the Temporal
 * port turns each call into exactly one command (or none), so a port implementation must not
 * add awaits of its own around the operations it delegates.
 */
export interface WorkflowPort {
  /** The instance's workflow id: child ids and idempotency keys are derived from it. */
  workflowId(): string;
  /** Epoch ms on the instance's clock (replays to the same value). */
  now(): number;
  /** A durable timer in the current scope. */
  sleep(ms: number): Promise<void>;
  /** Resolves once `fn` answers true (re-evaluated after every state change). */
  condition(fn: () => boolean): Promise<void>;
  /** A new scope, child of the scope the caller runs in. */
  scope(): CancelScope;
  /** Runs `fn` shielded from cancellation of the enclosing scopes (compensation after a cancel). */
  nonCancellable<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether `err` is the rejection of a cancelled wait, activity or child. */
  isCancellation(err: unknown): boolean;
  /** The BPMN error a failed activity or child instance carries, else `undefined`. */
  bpmnError(err: unknown): BpmnError | undefined;

  /** The plan's canonical JSON, verified against `ref.planHash`. */
  loadPlan(ref: ProcessRef, tenantId: string): Promise<string>;
  /** The published version a call activity's child is pinned to. */
  resolveDefinition(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<ProcessRef>;
  /** The published decision a business rule task evaluates, and its plan (checked against its hash). */
  loadDecision(tenantId: string, name: string, version: number | 'latest'): Promise<LoadedDecision>;
  callService(call: ServiceCallRequest, policy: CallPolicy): Promise<Record<string, unknown>>;
  invokeAgent(call: AgentCallRequest): Promise<unknown>;
  /** Delivers a thrown signal to the tenant's other instances waiting for it; answers how many. */
  broadcastSignal(broadcast: SignalBroadcast): Promise<number>;
  /** Runs a child instance to its end (rejects with its failure). */
  executeChild(workflowId: string, input: ProcessInput): Promise<ProcessResult>;
  /**
   * Passes an escalation nothing in this instance caught to the instance whose call activity
   * started it: settles once the caller has it (or has ended). `undefined` when there is no
   * caller (a top-level instance, or a history recorded before escalations were passed up).
   */
  escalateToParent(escalation: {
    readonly code: string;
    readonly nodeId: string;
  }): Promise<void> | undefined;

  /** Publishes what visibility queries filter on. */
  publish(attributes: InstanceAttributes): void;
  /** Whether the instance should continue as new at its next wait state. */
  continueAsNewSuggested(): boolean;
  /** Whether every signal and update handler has finished. */
  handlersFinished(): boolean;
  /**
   * Whether this run takes the change `id` (Temporal's `patched()`: true in new runs, and in
   * replays of histories recorded with it); a change of commands is taken only then.
   */
  patched(id: string): boolean;
}
