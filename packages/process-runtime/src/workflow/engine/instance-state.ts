import type { ExecutionPlan } from '@ameide/process-definition/plan';
import type {
  AuditEntry,
  EventTimerMemo,
  CompensationEntry,
  InstanceState as InstanceStateView,
  InstanceStatus,
  MessageDelivery,
  ProcessInput,
  ResumeState,
  ResumeToken,
  SignalArrival,
  TokenView,
  UserTaskView,
} from '../types.js';
import type { WorkflowPort } from './workflow-port.js';

type Completion = { by: string; data: Record<string, unknown> };

/** How many ids of delivered messages an instance remembers (carried over by continue-as-new). */
const MESSAGE_IDS_KEPT = 1000;
/** Signals of each name whose payloads stay known, for catchers that armed before them. */
const SIGNAL_ARRIVALS_KEPT = 32;

/** The payload of the latest signal of each name, where it carried one. */
function latestPayloads(
  arrivals: Readonly<Record<string, readonly SignalArrival[]>>,
): Record<string, Readonly<Record<string, unknown>>> {
  const latest: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [name, list] of Object.entries(arrivals)) {
    const payload = list.at(-1)?.payload ?? {};
    if (Object.keys(payload).length > 0) latest[name] = payload;
  }
  return latest;
}

/** The signal arrivals continue-as-new carries over: names with a payload among them. */
function carriedArrivals(
  all: Readonly<Record<string, readonly SignalArrival[]>>,
): Record<string, readonly SignalArrival[]> | undefined {
  const kept = Object.entries(all).filter(([, arrivals]) =>
    arrivals.some((a) => Object.keys(a.payload).length > 0),
  );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * The data of one process instance: variables, open user tasks and accepted completions, the
 * message inbox and subscriptions, compensations, the audit trail, status and the id sequence.
 * Everything here is plain data that continue-as-new carries over ({@link snapshot}); the
 * running tokens live in the token engine. Changes that visibility filters on (task candidates,
 * message subscriptions, status) are published through the port as they happen.
 */
export class InstanceState {
  #plan: ExecutionPlan | undefined;
  #planJson = '';
  #status: InstanceStatus = 'RUNNING';
  #errorCode: string | undefined;
  #errorMessage: string | undefined;
  #variables: Record<string, unknown>;
  readonly #tasks = new Map<string, UserTaskView>();
  readonly #completions = new Map<string, Completion>();
  #inbox: MessageDelivery[] = [];
  readonly #subscriptions = new Map<string, Array<{ name: string; key: string }>>();
  #compensations: CompensationEntry[] = [];
  #audit: AuditEntry[] = [];
  #auditDropped = 0;
  #seq = 0;
  #runs = 1;
  #eventTimers: Record<string, EventTimerMemo> = {};
  #signals: Record<string, number> = {};
  /** The latest {@link SIGNAL_ARRIVALS_KEPT} signals of each name, oldest first. */
  #signalArrivals: Record<string, SignalArrival[]> = {};
  /** Ids of delivered messages, oldest first, at most {@link MESSAGE_IDS_KEPT}. */
  #messageIds: string[] = [];
  #lastCandidates = '';
  #lastMessages = '';

  constructor(
    readonly input: ProcessInput,
    private readonly port: WorkflowPort,
  ) {
    this.#variables = { ...input.variables };
    const r = input.resume;
    if (r) {
      this.#variables = { ...r.variables };
      for (const t of r.tasks) this.#tasks.set(t.taskId, t);
      for (const [id, c] of Object.entries(r.completions ?? {})) this.#completions.set(id, c);
      this.#inbox = [...r.inbox];
      this.#compensations = [...r.compensations];
      this.#audit = [...r.audit];
      this.#auditDropped = r.auditDropped;
      this.#seq = r.seq;
      this.#runs = r.runs;
      this.#eventTimers = JSON.parse(JSON.stringify(r.eventTimers ?? {})) as Record<
        string,
        EventTimerMemo
      >;
      this.#signals = { ...r.signals };
      for (const [name, arrivals] of Object.entries(r.signalArrivals ?? {}))
        this.#signalArrivals[name] = [...arrivals];
      // A run continued by a version that kept only the latest payload of each name.
      for (const [name, payload] of Object.entries(r.signalPayloads ?? {}))
        this.#signalArrivals[name] ??= [{ n: r.signals?.[name] ?? 1, payload }];
      this.#messageIds = [...(r.messageIds ?? [])];
    }
  }

  /**
   * The deadline and firings of a timer event subprocess, by `<scope run path>:<node id>`
   * (mutable; continue-as-new carries it over).
   */
  eventTimer(key: string): EventTimerMemo {
    return (this.#eventTimers[key] ??= { fired: 0 });
  }

  /** The plan the instance runs (set once, from the loaded or carried-over canonical JSON). */
  get plan(): ExecutionPlan {
    if (!this.#plan) throw new Error('the plan is not loaded yet');
    return this.#plan;
  }

  usePlan(planJson: string): void {
    this.#planJson = planJson;
    this.#plan = JSON.parse(planJson) as ExecutionPlan;
  }

  get status(): InstanceStatus {
    return this.#status;
  }

  get variables(): Record<string, unknown> {
    return this.#variables;
  }

  get audit(): readonly AuditEntry[] {
    return this.#audit;
  }

  get runs(): number {
    return this.#runs;
  }

  /** The next number of the instance's id sequence (token, task, scope and call ids). */
  nextSeq(): number {
    return ++this.#seq;
  }

  log(
    event: AuditEntry['event'],
    nodeId?: string,
    extra: { by?: string; detail?: string } = {},
  ): void {
    this.#audit.push({
      seq: this.#audit.length + this.#auditDropped + 1,
      at: new Date(this.port.now()).toISOString(),
      event,
      ...(nodeId === undefined ? {} : { nodeId }),
      ...extra,
    });
  }

  setStatus(status: InstanceStatus): void {
    this.#status = status;
    this.port.publish({ status });
  }

  /** Records why the instance failed (reported by the `state` query). */
  setError(code: string, message: string): void {
    this.#errorCode = code;
    this.#errorMessage = message;
  }

  merge(patch: Record<string, unknown>): void {
    this.#variables = { ...this.#variables, ...patch };
  }

  // ---------------------------------------------------------------- user tasks

  openTasks(): UserTaskView[] {
    return [...this.#tasks.values()];
  }

  openTask(taskId: string): UserTaskView | undefined {
    return this.#tasks.get(taskId);
  }

  /** Whether the task is open or completed but not yet taken by its token. */
  knowsTask(taskId: string): boolean {
    return this.#tasks.has(taskId) || this.#completions.has(taskId);
  }

  createTask(task: UserTaskView): void {
    this.#tasks.set(task.taskId, task);
    this.log('taskCreated', task.nodeId, { detail: task.taskId });
    this.publishTaskCandidates();
  }

  /** Marks an open task completed; the update handler calls it after its validator accepted. */
  completeTask(taskId: string, by: string, data: Record<string, unknown>): UserTaskView {
    const task = this.#tasks.get(taskId)!;
    this.#tasks.delete(taskId);
    this.#completions.set(taskId, { by, data });
    this.log('taskCompleted', task.nodeId, { by, detail: taskId });
    this.publishTaskCandidates();
    return task;
  }

  isCompleted(taskId: string): boolean {
    return this.#completions.has(taskId);
  }

  /** Withdraws a task still open (its token left without a completion); false if it was not open. */
  cancelTask(taskId: string, nodeId: string): boolean {
    if (!this.#tasks.delete(taskId)) return false;
    this.log('taskCancelled', nodeId, { detail: taskId });
    this.publishTaskCandidates();
    return true;
  }

  takeCompletion(taskId: string): Completion {
    const done = this.#completions.get(taskId)!;
    this.#completions.delete(taskId);
    return done;
  }

  hasPendingCompletions(): boolean {
    return this.#completions.size > 0;
  }

  publishTaskCandidates(): void {
    const values = new Set<string>();
    for (const t of this.#tasks.values()) {
      if (t.assignee !== undefined) values.add(`user:${t.assignee}`);
      for (const g of t.candidateGroups) values.add(`group:${g}`);
      if (t.assignee === undefined && t.candidateGroups.length === 0) values.add('any');
    }
    const sorted = [...values].sort();
    const joined = sorted.join('\n');
    if (joined === this.#lastCandidates) return;
    this.#lastCandidates = joined;
    this.port.publish({ taskCandidates: sorted });
  }

  // ---------------------------------------------------------------- messages

  /**
   * Keeps a delivered message until a matching catch event takes it; a signal is counted
   * instead (every catcher armed before it sees it, none after).
   */
  deliver(message: MessageDelivery): void {
    if (message.signal === true) {
      this.receiveSignal(message.name, message.payload);
      return;
    }
    // A message with an id is taken once: a repeated delivery (a client's retry racing its
    // first call) is dropped.
    if (message.messageId !== undefined) {
      if (this.#messageIds.includes(message.messageId)) return;
      this.#messageIds.push(message.messageId);
      if (this.#messageIds.length > MESSAGE_IDS_KEPT) this.#messageIds.shift();
    }
    this.#inbox.push(message);
  }

  /** Counts a signal; its payload (if it carries one) is what its catchers map in. */
  receiveSignal(name: string, payload?: Readonly<Record<string, unknown>>): void {
    const n = (this.#signals[name] = (this.#signals[name] ?? 0) + 1);
    const arrivals = (this.#signalArrivals[name] ??= []);
    arrivals.push({ n, payload: payload ?? {} });
    if (arrivals.length > SIGNAL_ARRIVALS_KEPT) arrivals.shift();
  }

  /**
   * The payload of signal number `n` named `name` (empty when it carried none), or of the
   * latest one when `n` is not given or no longer kept.
   */
  signalPayload(name: string, n?: number): Readonly<Record<string, unknown>> {
    const arrivals = this.#signalArrivals[name];
    const arrival =
      (n === undefined ? undefined : arrivals?.find((a) => a.n === n)) ?? arrivals?.at(-1);
    return arrival?.payload ?? {};
  }

  /** How many signals named `name` the instance received so far. */
  signalCount(name: string): number {
    return this.#signals[name] ?? 0;
  }

  hasMessage(name: string, key: string): boolean {
    return this.#findMessage(name, key) >= 0;
  }

  takeMessage(name: string, key: string): MessageDelivery | undefined {
    const [message] = this.#inbox.splice(this.#findMessage(name, key), 1);
    return message;
  }

  #findMessage(name: string, key: string): number {
    return this.#inbox.findIndex((m) => m.name === name && m.correlationKey === key);
  }

  subscribe(tokenId: string, name: string, key: string): void {
    const subs = this.#subscriptions.get(tokenId) ?? [];
    subs.push({ name, key });
    this.#subscriptions.set(tokenId, subs);
    this.#publishMessages();
  }

  /** Drops every subscription of a token (it took its message, or it is gone). */
  unsubscribe(tokenId: string): void {
    if (this.#subscriptions.delete(tokenId)) this.#publishMessages();
  }

  #publishMessages(): void {
    const values = [
      ...new Set([...this.#subscriptions.values()].flat().map((s) => `${s.name}:${s.key}`)),
    ].sort();
    const joined = values.join('\n');
    if (joined === this.#lastMessages) return;
    this.#lastMessages = joined;
    this.port.publish({ messages: values });
  }

  // ---------------------------------------------------------------- compensation

  addCompensation(entry: CompensationEntry): void {
    this.#compensations.push(entry);
  }

  /** Compensable completions of scope `scope` and the scopes nested in it, oldest first. */
  compensationsOf(scope: string): CompensationEntry[] {
    return this.#compensations.filter((e) => e.scope === scope || e.scope.startsWith(`${scope}/`));
  }

  removeCompensation(entry: CompensationEntry): void {
    this.#compensations = this.#compensations.filter((e) => e !== entry);
  }

  // ---------------------------------------------------------------- views and continue-as-new

  /** What the `state` query answers. */
  view(tokens: readonly TokenView[]): InstanceStateView {
    return {
      status: this.#status,
      definition: this.input.definition,
      businessKey: this.input.businessKey,
      startedBy: this.input.actor.userId,
      tokens,
      variables: this.#variables,
      userTasks: this.openTasks(),
      audit: this.#audit,
      auditDropped: this.#auditDropped,
      ...(this.#errorCode !== undefined ? { errorCode: this.#errorCode } : {}),
      ...(this.#errorMessage !== undefined ? { errorMessage: this.#errorMessage } : {}),
    };
  }

  /** The state continue-as-new carries over; keeps the newest `auditKeep` audit entries. */
  snapshot(
    tokens: readonly ResumeToken[],
    joins: Record<string, Record<string, number>>,
    auditKeep: number,
  ): ResumeState {
    const dropped = Math.max(0, this.#audit.length - auditKeep);
    const arrivals = carriedArrivals(this.#signalArrivals);
    const latest = arrivals && latestPayloads(arrivals);
    return {
      planJson: this.#planJson,
      variables: this.#variables,
      tokens,
      joins,
      tasks: this.openTasks(),
      completions: Object.fromEntries(this.#completions),
      inbox: this.#inbox,
      compensations: this.#compensations,
      audit: this.#audit.slice(dropped),
      auditDropped: this.#auditDropped + dropped,
      seq: this.#seq,
      runs: this.#runs + 1,
      ...(Object.keys(this.#eventTimers).length > 0 ? { eventTimers: this.#eventTimers } : {}),
      ...(Object.keys(this.#signals).length > 0 ? { signals: this.#signals } : {}),
      ...(arrivals ? { signalArrivals: arrivals } : {}),
      ...(latest && Object.keys(latest).length > 0 ? { signalPayloads: latest } : {}),
      ...(this.#messageIds.length > 0 ? { messageIds: this.#messageIds } : {}),
    };
  }
}
