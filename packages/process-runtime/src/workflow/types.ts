/**
 * Plain data exchanged between the ProcessService, the interpreter workflow and its activities.
 * Types only: safe for the workflow sandbox.
 */

/** A published process definition version, as an instance is pinned to it. */
export interface ProcessRef {
  /** Artifact id in the Transformation Domain. */
  readonly definitionId: string;
  /** Definition (artifact) name, e.g. `order-to-cash`. */
  readonly name: string;
  /** Published version number. */
  readonly version: number;
  /** SHA-256 (hex) of the plan's canonical JSON: the instance never runs another plan. */
  readonly planHash: string;
}

/** A published decision definition version a business rule task evaluated, pinned by plan hash. */
export interface DecisionRef {
  /** Artifact id in the Transformation Domain. */
  readonly definitionId: string;
  readonly name: string;
  readonly version: number;
  /** SHA-256 (hex) of the DecisionPlan's canonical JSON. */
  readonly planHash: string;
}

/** What the `loadDecision` activity answers: the pinned version and its plan, checked against the hash. */
export interface LoadedDecision {
  readonly ref: DecisionRef;
  /** The DecisionPlan's canonical JSON, exactly as stored (its SHA-256 is `ref.planHash`). */
  readonly planJson: string;
}

/** Who an instance acts for: its service calls carry this tenant and user. */
export interface InstanceActor {
  readonly tenantId: string;
  readonly orgId: string;
  /** The user who started the instance; service tasks call domains as this user. */
  readonly userId: string;
}

export type InstanceStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** Tuning that tests and operators may set per instance. */
export interface InstanceOptions {
  /**
   * Continue-as-new once the history has at least this many events (and the instance is at a
   * wait state). Default: when Temporal suggests it.
   */
  readonly continueAsNewAfterEvents?: number;
  /** Audit entries kept across continue-as-new (the oldest are dropped). Default 1,000. */
  readonly auditKeep?: number;
}

/** Input of the interpreter workflow. */
export interface ProcessInput {
  readonly actor: InstanceActor;
  readonly definition: ProcessRef;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly businessKey: string;
  /** W3C traceparent of the call that started the instance. */
  readonly traceparent?: string;
  readonly options?: InstanceOptions;
  /**
   * The trigger that started the instance, when it was not a call of StartProcess: the
   * process-level start event it fired (a timer, message or signal start) and the message's or
   * signal's payload. Absent: the none start event (or the first event start when there is none).
   */
  readonly start?: InstanceStart;
  /** Set by continue-as-new: the state to resume from. */
  readonly resume?: ResumeState;
  /** Set by continue-as-new when the instance recorded its `started` lifecycle event. */
  readonly lifecycleEvents?: boolean;
}

/** The start event that started an instance, and what its trigger carried. */
export interface InstanceStart {
  readonly node: string;
  /** A message's or signal's payload: mapped into the variables as a catch event maps it. */
  readonly payload?: Readonly<Record<string, unknown>>;
}

/** What a finished instance returns. */
export interface ProcessResult {
  readonly status: Exclude<InstanceStatus, 'RUNNING' | 'FAILED' | 'CANCELLED'>;
  readonly variables: Record<string, unknown>;
  /** End event that finished the instance (the last one reached). */
  readonly endEvent?: string;
  /** True when a terminate end event finished it. */
  readonly terminated: boolean;
  /**
   * The instance as the state query last saw it: kept with the result (in history), so a
   * completed instance reads without a worker replaying it. Absent in results of older runs.
   */
  readonly state?: InstanceState;
}

/** One line of the audit trail. */
export interface AuditEntry {
  readonly seq: number;
  /** ISO 8601 time on the workflow clock. */
  readonly at: string;
  readonly event:
    | 'started'
    | 'entered'
    | 'completed'
    | 'failed'
    | 'interrupted'
    | 'taskCreated'
    | 'taskCompleted'
    | 'taskCancelled'
    | 'messageReceived'
    | 'boundaryFired'
    /** An event subprocess's start event fired (its trigger, interrupting or not, the scope run). */
    | 'eventTriggered'
    | 'errorCaught'
    /** An escalation was thrown: its code, and who caught it (or that nobody did). */
    | 'escalated'
    /** A signal was thrown: its name and how many other instances it reached. */
    | 'signalThrown'
    | 'compensating'
    | 'compensated'
    | 'continuedAsNew'
    /** A business rule task evaluated its decision: version, plan hash and matched rules. */
    | 'decisionEvaluated'
    /** A multi-instance activity evaluated its input collection: how many instances, how run. */
    | 'instancesStarted'
    /** A multi-instance activity's completion condition held; the running instances are cancelled. */
    | 'completionConditionMet'
    | 'cancelled'
    | 'finished';
  readonly nodeId?: string;
  /** The user behind the event (task completion), when there is one. */
  readonly by?: string;
  readonly detail?: string;
}

/** A user task waiting for completion. */
export interface UserTaskView {
  readonly taskId: string;
  readonly nodeId: string;
  readonly title: string;
  readonly assignee?: string;
  readonly candidateGroups: readonly string[];
  readonly form?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  /** ISO 8601, when the task has a due date. */
  readonly dueAt?: string;
}

export interface TokenView {
  readonly id: string;
  readonly nodeId: string;
  /** Scope instance path: `root`, `root/SubProcess_1#3`, ... */
  readonly scope: string;
  /** What the token waits for, when it waits. */
  readonly waitingFor?:
    | 'userTask'
    | 'timer'
    | 'message'
    | 'service'
    | 'agent'
    | 'child'
    | 'join'
    /** An intermediate conditional event: its condition over the variables to hold. */
    | 'condition'
    /** An intermediate signal catch event: its signal to be broadcast. */
    | 'signal'
    /** A multi-instance activity between instances, parked for continue-as-new. */
    | 'multiInstance';
}

/** Everything the `state` query reports. */
export interface InstanceState {
  readonly status: InstanceStatus;
  readonly definition: ProcessRef;
  readonly businessKey: string;
  readonly startedBy: string;
  readonly tokens: readonly TokenView[];
  readonly variables: Record<string, unknown>;
  readonly userTasks: readonly UserTaskView[];
  readonly audit: readonly AuditEntry[];
  /** Audit entries dropped by continue-as-new. */
  readonly auditDropped: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** Argument of the `completeUserTask` update. Caller identity comes from the trusted server. */
export interface CompleteUserTaskRequest {
  readonly taskId: string;
  readonly userId: string;
  readonly groups: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CompleteUserTaskResult {
  readonly taskId: string;
  readonly nodeId: string;
}

/** Argument of the `message` signal. */
export interface MessageDelivery {
  readonly name: string;
  readonly correlationKey: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** A broadcast signal named `name` (not a message): it wakes every catcher waiting for it. */
  readonly signal?: boolean;
  /** The message's id (CorrelateMessage `message_id`): an instance takes a message once. */
  readonly messageId?: string;
}

/** An escalation a called instance threw and nothing in it caught: its parent takes it. */
export interface ChildEscalation {
  /** The called instance's workflow id (the call activity started it under this id). */
  readonly childWorkflowId: string;
  readonly code: string;
  /** The node of the called instance that threw it. */
  readonly nodeId: string;
}

/** A completed compensable service task, and the call that undoes it. */
export interface CompensationEntry {
  readonly nodeId: string;
  readonly scope: string;
  readonly rpc: string;
  readonly request: Record<string, unknown>;
}

/** Per-token memory of a wait state, so a resumed token waits for the same thing. */
export interface TokenMemo {
  /** Epoch ms the token's timer fires at. */
  deadline?: number;
  taskId?: string;
  /** Boundary timer deadlines by boundary event id. */
  boundary?: Record<string, number>;
  /** Non-interrupting cycle and conditional boundaries: firings so far. */
  fired?: Record<string, number>;
  /** Signal catch event (`''`) and signal boundaries (by id): signals seen when armed. */
  signals?: Record<string, number>;
  /** A multi-instance activity's progress (continue-as-new carries it over between instances). */
  multiInstance?: MultiInstanceMemo;
}

/** Progress of a multi-instance activity. */
export interface MultiInstanceMemo {
  /** The input collection, evaluated once when the activity started. */
  readonly items: readonly unknown[];
  /** Index of the next instance to start. */
  next: number;
  completed: number;
  /** The output collection so far (`null` where an instance has not completed). */
  readonly outputs?: unknown[];
}

export interface ResumeToken {
  readonly id: string;
  readonly nodeId: string;
  readonly via?: string;
  readonly memo: TokenMemo;
}

/** The state carried over by continue-as-new. */
export interface ResumeState {
  readonly planJson: string;
  readonly variables: Record<string, unknown>;
  readonly tokens: readonly ResumeToken[];
  readonly joins: Record<string, Record<string, number>>;
  readonly tasks: readonly UserTaskView[];
  /** Completions accepted but not yet taken by their token. */
  readonly completions?: Readonly<Record<string, { by: string; data: Record<string, unknown> }>>;
  readonly inbox: readonly MessageDelivery[];
  readonly compensations: readonly CompensationEntry[];
  readonly audit: readonly AuditEntry[];
  readonly auditDropped: number;
  readonly seq: number;
  readonly runs: number;
  /** Deadlines and firings of timer event subprocesses (absent when there are none). */
  readonly eventTimers?: Readonly<Record<string, EventTimerMemo>>;
  /** Signals received so far, by name (absent when none). */
  readonly signals?: Readonly<Record<string, number>>;
  /** Ids of the latest messages delivered with one, oldest first (absent when none). */
  readonly messageIds?: readonly string[];
  /** The payload of the latest signal of each name that carried one (absent when none). */
  readonly signalPayloads?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The latest signals of each name, by arrival number (1 = the first signal of the name), with
   * their payloads: names none of whose kept signals carried one are left out.
   */
  readonly signalArrivals?: Readonly<Record<string, readonly SignalArrival[]>>;
}

/** A signal the instance received: its arrival number among signals of its name, and payload. */
export interface SignalArrival {
  readonly n: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Where a timer or conditional event subprocess stands: its next deadline (epoch ms, timers) and how often it fired. */
export interface EventTimerMemo {
  deadline?: number;
  fired: number;
  /** A signal start: the signals of its name received when it last armed. */
  seen?: number;
}
