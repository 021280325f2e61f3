import {
  CancellationScope,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type {
  ExecutionPlan,
  PlanBoundary,
  PlanNode,
  PlanServiceCall,
  PlanTimer,
  PlanTransition,
} from '@ameide/process-definition/plan';
import type { ProcessActivities } from './activity-types.js';
import { BpmnError, ProcessIncident, bpmnErrorFrom, errorCodeMatches } from './bpmn-errors.js';
import { PROCESS_WORKFLOW_TYPE } from './definitions.js';
import { evaluateCondition, evaluateContext, evaluateFeel } from './feel.js';
import { processSearchAttributes as SA } from './search-attributes.js';
import { firstFiring, nextFiring } from './timers.js';
import type {
  AuditEntry,
  CompensationEntry,
  InstanceStatus,
  MessageDelivery,
  ProcessInput,
  ProcessResult,
  ResumeToken,
  TokenMemo,
  TokenView,
  UserTaskView,
} from './types.js';

type Node<T extends PlanNode['type']> = Extract<PlanNode, { type: T }>;
type ActivityNode = Extract<PlanNode, { boundaryEvents: readonly PlanBoundary[] }>;

/** A running scope instance (the process, or one execution of a subProcess). */
interface ScopeRun {
  /** Path: `root`, `root/SubProcess_1#4`. */
  readonly id: string;
  readonly cs: CancellationScope;
  readonly pending: Set<Promise<void>>;
  /** Parallel/inclusive join arrivals: gateway → incoming edge → tokens. */
  readonly joins: Map<string, Map<string, number>>;
  /** Inclusive gateways where a token waits for the join condition. */
  readonly waiters: Set<string>;
  error?: BpmnError;
  failure?: unknown;
  cancelled?: unknown;
  terminated: boolean;
  lastEnd?: string;
}

interface LiveToken {
  readonly id: string;
  readonly run: ScopeRun;
  nodeId: string;
  via: string | undefined;
  memo: TokenMemo;
  waitingFor: TokenView['waitingFor'];
  resumed: boolean;
}

type Outcome = { readonly kind: 'completed' | 'terminated'; readonly endEvent?: string };

const agentOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 2 },
};
const resolveActivities = proxyActivities<ProcessActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, initialInterval: '1 second', backoffCoefficient: 2 },
});

function serviceActivities(call: PlanServiceCall): ProcessActivities {
  return proxyActivities<ProcessActivities>({
    startToCloseTimeout: call.timeoutMs,
    retry: {
      maximumAttempts: call.retry.maxAttempts,
      initialInterval: call.retry.initialIntervalMs,
      backoffCoefficient: call.retry.backoff,
    },
  });
}

/**
 * The token engine: runs an ExecutionPlan with BPMN token semantics. Every token is a
 * coroutine; a scope instance owns a CancellationScope so a terminate end, an error or an
 * interrupting boundary event cancels exactly its tokens. All state the queries and
 * continue-as-new need lives on this object.
 */
export class Interpreter {
  plan!: ExecutionPlan;
  planJson = '';
  status: InstanceStatus = 'RUNNING';
  errorCode: string | undefined;
  errorMessage: string | undefined;
  variables: Record<string, unknown>;
  readonly tokens = new Map<string, LiveToken>();
  readonly tasks = new Map<string, UserTaskView>();
  readonly completions = new Map<string, { by: string; data: Record<string, unknown> }>();
  inbox: MessageDelivery[] = [];
  readonly subscriptions = new Map<string, Array<{ name: string; key: string }>>();
  compensations: CompensationEntry[] = [];
  audit: AuditEntry[] = [];
  auditDropped = 0;
  seq = 0;
  runs = 1;
  readonly scopeRuns = new Map<string, ScopeRun>();
  private readonly reachCache = new Map<string, Set<string>>();
  private lastCandidates = '';
  private lastMessages = '';

  constructor(readonly input: ProcessInput) {
    this.variables = { ...input.variables };
    const r = input.resume;
    if (r) {
      this.variables = { ...r.variables };
      for (const t of r.tasks) this.tasks.set(t.taskId, t);
      for (const [id, c] of Object.entries(r.completions ?? {})) this.completions.set(id, c);
      this.inbox = [...r.inbox];
      this.compensations = [...r.compensations];
      this.audit = [...r.audit];
      this.auditDropped = r.auditDropped;
      this.seq = r.seq;
      this.runs = r.runs;
    }
  }

  setPlan(planJson: string): void {
    this.planJson = planJson;
    this.plan = JSON.parse(planJson) as ExecutionPlan;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  log(
    event: AuditEntry['event'],
    nodeId?: string,
    extra: { by?: string; detail?: string } = {},
  ): void {
    this.audit.push({
      seq: this.audit.length + this.auditDropped + 1,
      at: new Date().toISOString(),
      event,
      ...(nodeId === undefined ? {} : { nodeId }),
      ...extra,
    });
  }

  setStatus(status: InstanceStatus): void {
    this.status = status;
    upsertSearchAttributes([{ key: SA.status, value: status }]);
  }

  // ---------------------------------------------------------------- scopes and tokens

  /** Runs the process scope from its start event, or resumes the tokens carried over. */
  async runProcess(): Promise<Outcome> {
    const scope = this.plan.scopes[this.plan.process.id];
    if (!scope) throw new ProcessIncident(this.plan.process.id, 'plan has no process scope');
    const resume = this.input.resume;
    if (resume) {
      return this.runScope('root', resume.tokens, resume.joins);
    }
    // A timer/message start event is the trigger that started this instance.
    const start = scope.start ?? scope.eventStarts[0];
    if (start === undefined) throw new ProcessIncident(scope.id, 'the process has no start event');
    return this.runScope('root', [{ id: `t${this.nextSeq()}`, nodeId: start, memo: {} }], {});
  }

  private async runScope(
    id: string,
    initial: readonly ResumeToken[],
    joins: Record<string, Record<string, number>>,
  ): Promise<Outcome> {
    const run: ScopeRun = {
      id,
      cs: new CancellationScope(),
      pending: new Set(),
      joins: new Map(Object.entries(joins).map(([g, m]) => [g, new Map(Object.entries(m))])),
      waiters: new Set(),
      terminated: false,
    };
    this.scopeRuns.set(id, run);
    try {
      for (const t of initial) this.spawn(run, t.nodeId, t.via, t);
      while (run.pending.size > 0) await Promise.all([...run.pending]);
    } finally {
      this.scopeRuns.delete(id);
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a token threw, as it was
    if (run.failure !== undefined) throw run.failure;
    if (run.error) throw run.error;
    if (run.terminated)
      return { kind: 'terminated', ...(run.lastEnd ? { endEvent: run.lastEnd } : {}) };
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows the cancellation a token saw
    if (run.cancelled !== undefined) throw run.cancelled;
    return { kind: 'completed', ...(run.lastEnd ? { endEvent: run.lastEnd } : {}) };
  }

  private spawn(
    run: ScopeRun,
    nodeId: string,
    via: string | undefined,
    resume?: ResumeToken,
  ): void {
    const token: LiveToken = {
      id: resume?.id ?? `t${this.nextSeq()}`,
      run,
      nodeId,
      via,
      memo: resume ? clone(resume.memo) : {},
      waitingFor: undefined,
      resumed: resume !== undefined && this.isResume(resume),
    };
    this.tokens.set(token.id, token);
    const p: Promise<void> = run.cs
      .run(() => this.runToken(token))
      .catch((err: unknown) => {
        if (err instanceof BpmnError) {
          if (!run.error && !run.terminated) {
            run.error = err;
            run.cs.cancel();
          }
        } else if (isCancellation(err)) {
          run.cancelled ??= err;
        } else if (run.failure === undefined) {
          run.failure = err;
          run.cs.cancel();
        }
      })
      .finally(() => {
        run.pending.delete(p);
        this.tokens.delete(token.id);
        if (this.subscriptions.delete(token.id)) this.syncMessageAttributes();
      });
    run.pending.add(p);
  }

  private resumeIds: Set<string> | undefined;
  private isResume(t: ResumeToken): boolean {
    this.resumeIds ??= new Set(this.input.resume?.tokens.map((x) => x.id) ?? []);
    return this.resumeIds.has(t.id);
  }

  private async runToken(token: LiveToken): Promise<void> {
    for (;;) {
      const node = this.plan.nodes[token.nodeId];
      if (!node) throw new ProcessIncident(token.nodeId, `node ${token.nodeId} is not in the plan`);
      if (!token.resumed) this.log('entered', node.id);
      const next = await this.execute(node, token);
      token.resumed = false;
      if (next === undefined) return;
      if (next.length === 0) return;
      for (const t of next.slice(1)) this.spawn(token.run, t.target, t.edge);
      const first = next[0]!;
      token.nodeId = first.target;
      token.via = first.edge;
      token.memo = {};
    }
  }

  /** Runs one node; answers the flows the token follows (`undefined`: the token is consumed). */
  private async execute(
    node: PlanNode,
    token: LiveToken,
  ): Promise<readonly PlanTransition[] | undefined> {
    switch (node.type) {
      case 'startEvent':
      case 'boundaryEvent':
        return node.outgoing;
      case 'endEvent':
        return this.endEvent(node, token);
      case 'exclusiveGateway':
        this.log('completed', node.id);
        return this.exclusive(node);
      case 'parallelGateway':
        return this.parallel(node, token);
      case 'inclusiveGateway':
        return this.inclusive(node, token);
      case 'eventBasedGateway':
        return this.eventBased(node, token);
      case 'intermediateTimerEvent': {
        await this.waitTimer(node.timer, token);
        this.log('completed', node.id);
        return node.outgoing;
      }
      case 'intermediateMessageEvent': {
        await this.waitMessage(node, token);
        this.consumeMessage(node, token);
        return node.outgoing;
      }
      default:
        return this.activity(node, token);
    }
  }

  // ---------------------------------------------------------------- events

  private async endEvent(node: Node<'endEvent'>, token: LiveToken): Promise<undefined> {
    const run = token.run;
    switch (node.result.type) {
      case 'none':
        break;
      case 'terminate':
        run.terminated = true;
        run.cs.cancel();
        break;
      case 'compensate':
        await this.compensate(run.id);
        break;
      case 'error': {
        const code = node.result.errorCode ?? 'ERROR';
        this.log('failed', node.id, { detail: `error end ${code}` });
        throw new BpmnError(code, `error end event ${node.id} threw ${code}`);
      }
    }
    run.lastEnd = node.id;
    this.log('completed', node.id);
    return undefined;
  }

  private async waitTimer(timer: PlanTimer, token: LiveToken): Promise<void> {
    token.memo.deadline ??= firstFiring(timer, Date.now());
    token.waitingFor = 'timer';
    await sleep(Math.max(1, token.memo.deadline - Date.now()));
    token.waitingFor = undefined;
  }

  private correlationKey(node: Node<'intermediateMessageEvent'>): string {
    const key = evaluateFeel(node.message.correlationKey, this.variables);
    if (key === null || key === undefined)
      throw new ProcessIncident(
        node.id,
        `correlation key '${node.message.correlationKey.feel}' is null`,
      );
    return typeof key === 'string' ? key : JSON.stringify(key);
  }

  private subscribe(token: LiveToken, name: string, key: string): void {
    const subs = this.subscriptions.get(token.id) ?? [];
    subs.push({ name, key });
    this.subscriptions.set(token.id, subs);
    this.syncMessageAttributes();
  }

  private findMessage(name: string, key: string): number {
    return this.inbox.findIndex((m) => m.name === name && m.correlationKey === key);
  }

  private async waitMessage(
    node: Node<'intermediateMessageEvent'>,
    token: LiveToken,
  ): Promise<void> {
    const key = this.correlationKey(node);
    this.subscribe(token, node.message.name, key);
    token.waitingFor = 'message';
    await condition(() => this.findMessage(node.message.name, key) >= 0);
    token.waitingFor = undefined;
  }

  private consumeMessage(node: Node<'intermediateMessageEvent'>, token: LiveToken): void {
    const key = this.correlationKey(node);
    const i = this.findMessage(node.message.name, key);
    const [message] = this.inbox.splice(i, 1);
    if (this.subscriptions.delete(token.id)) this.syncMessageAttributes();
    const payload = message?.payload ?? {};
    this.merge(
      node.message.output
        ? this.mapping(node.id, node.message.output, { ...this.variables, message: payload })
        : payload,
    );
    this.log('messageReceived', node.id, { detail: `${node.message.name}:${key}` });
    this.log('completed', node.id);
  }

  private syncMessageAttributes(): void {
    const values = [
      ...new Set([...this.subscriptions.values()].flat().map((s) => `${s.name}:${s.key}`)),
    ].sort();
    const joined = values.join('\n');
    if (joined === this.lastMessages) return;
    this.lastMessages = joined;
    upsertSearchAttributes([{ key: SA.messages, value: values }]);
  }

  // ---------------------------------------------------------------- gateways

  private exclusive(node: Node<'exclusiveGateway'>): readonly PlanTransition[] {
    if (node.outgoing.length <= 1) return node.outgoing;
    for (const t of node.outgoing) {
      if (t.isDefault) continue;
      if (!t.condition || this.condition(node.id, t)) return [t];
    }
    const fallback = node.outgoing.find((t) => t.isDefault);
    if (fallback) return [fallback];
    throw new ProcessIncident(
      node.id,
      `no outgoing flow of gateway ${node.id} has a true condition and there is no default flow`,
    );
  }

  private condition(nodeId: string, t: PlanTransition): boolean {
    try {
      return t.condition ? evaluateCondition(t.condition, this.variables) : true;
    } catch (err) {
      throw new ProcessIncident(nodeId, (err as Error).message);
    }
  }

  private arrive(run: ScopeRun, gateway: string, via: string | undefined): Map<string, number> {
    const arrivals = run.joins.get(gateway) ?? new Map<string, number>();
    run.joins.set(gateway, arrivals);
    const edge = via ?? '';
    arrivals.set(edge, (arrivals.get(edge) ?? 0) + 1);
    return arrivals;
  }

  private parallel(
    node: Node<'parallelGateway'>,
    token: LiveToken,
  ): readonly PlanTransition[] | undefined {
    if (node.incoming.length > 1) {
      const arrivals = this.arrive(token.run, node.id, token.via);
      if (!node.incoming.every((e) => (arrivals.get(e) ?? 0) > 0)) return undefined;
      for (const e of node.incoming) {
        const left = (arrivals.get(e) ?? 0) - 1;
        if (left > 0) arrivals.set(e, left);
        else arrivals.delete(e);
      }
      if (arrivals.size === 0) token.run.joins.delete(node.id);
    }
    this.log('completed', node.id);
    return node.outgoing;
  }

  private async inclusive(
    node: Node<'inclusiveGateway'>,
    token: LiveToken,
  ): Promise<readonly PlanTransition[] | undefined> {
    if (node.incoming.length > 1) {
      const run = token.run;
      this.arrive(run, node.id, token.via);
      if (run.waiters.has(node.id)) return undefined;
      run.waiters.add(node.id);
      token.waitingFor = 'join';
      try {
        await condition(() => !this.canStillArrive(run, node.id, token.id));
      } finally {
        run.waiters.delete(node.id);
        token.waitingFor = undefined;
      }
      run.joins.delete(node.id);
    }
    this.log('completed', node.id);
    if (node.outgoing.length <= 1) return node.outgoing;
    const taken = node.outgoing.filter((t) => !t.isDefault && this.condition(node.id, t));
    if (taken.length > 0) return taken;
    const fallback = node.outgoing.find((t) => t.isDefault);
    if (fallback) return [fallback];
    throw new ProcessIncident(
      node.id,
      `no outgoing flow of gateway ${node.id} has a true condition and there is no default flow`,
    );
  }

  /** Whether a token of `run` other than `self` can still reach `gateway`. */
  private canStillArrive(run: ScopeRun, gateway: string, self: string): boolean {
    const from = this.reachers(gateway);
    for (const t of this.tokens.values()) {
      if (t.run === run && t.id !== self && from.has(t.nodeId)) return true;
    }
    return false;
  }

  /** Nodes from which `target` is reachable (not passing through it). */
  private reachers(target: string): Set<string> {
    const cached = this.reachCache.get(target);
    if (cached) return cached;
    const preds = new Map<string, string[]>();
    for (const n of Object.values(this.plan.nodes)) {
      for (const t of n.outgoing) preds.set(t.target, [...(preds.get(t.target) ?? []), n.id]);
      if (n.type === 'boundaryEvent') preds.set(n.id, [...(preds.get(n.id) ?? []), n.attachedTo]);
    }
    const seen = new Set<string>();
    const stack = [...(preds.get(target) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === target || seen.has(id)) continue;
      seen.add(id);
      stack.push(...(preds.get(id) ?? []));
    }
    this.reachCache.set(target, seen);
    return seen;
  }

  private async eventBased(
    node: Node<'eventBasedGateway'>,
    token: LiveToken,
  ): Promise<readonly PlanTransition[]> {
    const targets = node.outgoing.map((t) => this.plan.nodes[t.target]!);
    const race = new CancellationScope();
    const deadlines = (token.memo.boundary ??= {});
    token.waitingFor = 'message';
    const winner = await race.run(() =>
      Promise.race(
        targets.map(async (target): Promise<PlanNode> => {
          if (target.type === 'intermediateTimerEvent') {
            deadlines[target.id] ??= firstFiring(target.timer, Date.now());
            await sleep(Math.max(1, deadlines[target.id]! - Date.now()));
            return target;
          }
          if (target.type === 'intermediateMessageEvent') {
            const key = this.correlationKey(target);
            this.subscribe(token, target.message.name, key);
            await condition(() => this.findMessage(target.message.name, key) >= 0);
            return target;
          }
          throw new ProcessIncident(
            node.id,
            `event-based gateway ${node.id} leads to ${target.type} ${target.id}`,
          );
        }),
      ),
    );
    race.cancel();
    token.waitingFor = undefined;
    if (this.subscriptions.delete(token.id)) this.syncMessageAttributes();
    this.log('completed', node.id);
    this.log('entered', winner.id);
    if (winner.type === 'intermediateMessageEvent') this.consumeMessage(winner, token);
    else this.log('completed', winner.id);
    return winner.outgoing;
  }

  // ---------------------------------------------------------------- activities

  private async activity(node: ActivityNode, token: LiveToken): Promise<readonly PlanTransition[]> {
    if (node.boundaryEvents.length === 0) {
      await this.body(node, token);
      this.log('completed', node.id);
      return node.outgoing;
    }
    const body = new CancellationScope();
    const timers = new CancellationScope();
    let interruptedBy: PlanBoundary | undefined;
    for (const b of node.boundaryEvents) {
      if (b.trigger.type !== 'timer') continue;
      const timer = b.trigger.timer;
      const deadlines = (token.memo.boundary ??= {});
      const fired = (token.memo.fired ??= {});
      void timers
        .run(async () => {
          for (;;) {
            deadlines[b.id] ??= firstFiring(timer, Date.now());
            await sleep(Math.max(1, deadlines[b.id]! - Date.now()));
            fired[b.id] = (fired[b.id] ?? 0) + 1;
            this.log('boundaryFired', b.id, { detail: `on ${node.id}` });
            if (b.interrupting) {
              interruptedBy = b;
              body.cancel();
              return;
            }
            this.spawn(token.run, b.id, undefined);
            if (timer.type !== 'cycle') return;
            if (timer.repetitions !== null && fired[b.id]! >= timer.repetitions) return;
            deadlines[b.id] = nextFiring(timer, deadlines[b.id]!);
          }
        })
        .catch((err: unknown) => {
          if (!isCancellation(err)) throw err;
        });
    }
    try {
      await body.run(() => this.body(node, token));
      this.log('completed', node.id);
      return node.outgoing;
    } catch (err) {
      if (interruptedBy && isCancellation(err)) {
        this.log('interrupted', node.id, { detail: `by ${interruptedBy.id}` });
        return [{ edge: '', target: interruptedBy.id }];
      }
      if (err instanceof BpmnError) {
        const catcher = node.boundaryEvents.find(
          (b) => b.trigger.type === 'error' && errorCodeMatches(b.trigger.errorCode, err.code),
        );
        if (catcher) {
          this.log('errorCaught', catcher.id, { detail: `${err.code} from ${node.id}` });
          return [{ edge: '', target: catcher.id }];
        }
      }
      throw err;
    } finally {
      timers.cancel();
    }
  }

  private async body(node: ActivityNode, token: LiveToken): Promise<void> {
    switch (node.type) {
      case 'serviceTask':
        return this.serviceTask(node, token);
      case 'userTask':
        return this.userTask(node, token);
      case 'agentTask':
        return this.agentTask(node, token);
      case 'scriptTask': {
        const value = this.feel(node.id, () => evaluateFeel(node.script, this.variables));
        if (node.resultVariable !== undefined) this.merge({ [node.resultVariable]: value });
        else if (value !== null && typeof value === 'object' && !Array.isArray(value))
          this.merge(value as Record<string, unknown>);
        return;
      }
      case 'callActivity':
        return this.callActivity(node, token);
      case 'subProcess': {
        const scope = this.plan.scopes[node.childScope];
        if (!scope?.start)
          throw new ProcessIncident(node.id, `subProcess ${node.id} has no start event`);
        token.waitingFor = 'child';
        const outcome = await this.runScope(
          `${token.run.id}/${node.id}#${this.nextSeq()}`,
          [{ id: `t${this.nextSeq()}`, nodeId: scope.start, memo: {} }],
          {},
        );
        token.waitingFor = undefined;
        if (outcome.kind === 'terminated') this.log('completed', node.id, { detail: 'terminated' });
        return;
      }
    }
  }

  private async serviceTask(node: Node<'serviceTask'>, token: LiveToken): Promise<void> {
    const call = node.call;
    const request = this.mapping(node.id, call.input, this.variables);
    token.waitingFor = 'service';
    let response: Record<string, unknown>;
    try {
      response = await serviceActivities(call).callService({
        rpc: call.rpc,
        request,
        actor: this.input.actor,
        ...(this.input.traceparent ? { traceparent: this.input.traceparent } : {}),
        idempotencyKey: `${workflowInfo().workflowId}/${node.id}/${this.nextSeq()}`,
      });
    } catch (err) {
      throw this.activityError(node.id, err);
    } finally {
      token.waitingFor = undefined;
    }
    if (call.output)
      this.merge(this.mapping(node.id, call.output, { ...this.variables, response }));
    if (call.compensation) {
      this.compensations.push({
        nodeId: node.id,
        scope: token.run.id,
        rpc: call.compensation.rpc,
        request: this.mapping(node.id, call.compensation.input, this.variables),
      });
    }
  }

  private activityError(nodeId: string, err: unknown): unknown {
    if (isCancellation(err)) return err;
    const bpmn = bpmnErrorFrom(err);
    if (bpmn) {
      this.log('failed', nodeId, { detail: `${bpmn.code}: ${bpmn.message}` });
      return bpmn;
    }
    return err;
  }

  private async userTask(node: Node<'userTask'>, token: LiveToken): Promise<void> {
    let taskId = token.memo.taskId;
    if (taskId === undefined || (!this.tasks.has(taskId) && !this.completions.has(taskId))) {
      taskId = `${node.id}#${this.nextSeq()}`;
      const t = node.task;
      const assignee = t.assignee
        ? this.feel(node.id, () => evaluateFeel(t.assignee!, this.variables))
        : null;
      const groups = t.candidateGroups
        ? this.feel(node.id, () => evaluateFeel(t.candidateGroups!, this.variables))
        : null;
      const now = Date.now();
      const task: UserTaskView = {
        taskId,
        nodeId: node.id,
        title: t.title,
        ...(typeof assignee === 'string' && assignee !== '' ? { assignee } : {}),
        candidateGroups: Array.isArray(groups)
          ? groups.filter((g): g is string => typeof g === 'string')
          : typeof groups === 'string'
            ? [groups]
            : [],
        ...(t.form ? { form: t.form } : {}),
        createdAt: new Date(now).toISOString(),
        ...(t.due ? { dueAt: new Date(firstFiring(t.due, now)).toISOString() } : {}),
      };
      this.tasks.set(taskId, task);
      token.memo.taskId = taskId;
      this.log('taskCreated', node.id, { detail: taskId });
      this.syncTaskAttributes();
    }
    const id = taskId;
    token.waitingFor = 'userTask';
    try {
      await condition(() => this.completions.has(id));
    } finally {
      token.waitingFor = undefined;
      if (this.tasks.delete(id)) {
        this.log('taskCancelled', node.id, { detail: id });
        this.syncTaskAttributes();
      }
    }
    const done = this.completions.get(id)!;
    this.completions.delete(id);
    this.merge(
      node.task.output
        ? this.mapping(node.id, node.task.output, { ...this.variables, submission: done.data })
        : done.data,
    );
  }

  /** Marks a task completed; called by the update handler after its validator accepted. */
  completeTask(taskId: string, by: string, data: Record<string, unknown>): UserTaskView {
    const task = this.tasks.get(taskId)!;
    this.tasks.delete(taskId);
    this.completions.set(taskId, { by, data });
    this.log('taskCompleted', task.nodeId, { by, detail: taskId });
    this.syncTaskAttributes();
    return task;
  }

  syncTaskAttributes(): void {
    const values = new Set<string>();
    for (const t of this.tasks.values()) {
      if (t.assignee !== undefined) values.add(`user:${t.assignee}`);
      for (const g of t.candidateGroups) values.add(`group:${g}`);
      if (t.assignee === undefined && t.candidateGroups.length === 0) values.add('any');
    }
    const sorted = [...values].sort();
    const joined = sorted.join('\n');
    if (joined === this.lastCandidates) return;
    this.lastCandidates = joined;
    upsertSearchAttributes([{ key: SA.taskCandidates, value: sorted }]);
  }

  private async agentTask(node: Node<'agentTask'>, token: LiveToken): Promise<void> {
    const a = node.agent;
    const input = this.mapping(node.id, a.input, this.variables);
    token.waitingFor = 'agent';
    let result: unknown;
    try {
      result = await proxyActivities<ProcessActivities>(agentOptions).invokeAgent({
        agent: a.agent,
        version: a.version,
        ...(a.instructions !== undefined ? { instructions: a.instructions } : {}),
        riskTier: a.riskTier,
        input,
        actor: this.input.actor,
        instanceId: workflowInfo().workflowId,
        nodeId: node.id,
      });
    } catch (err) {
      throw this.activityError(node.id, err);
    } finally {
      token.waitingFor = undefined;
    }
    if (a.output) this.merge(this.mapping(node.id, a.output, { ...this.variables, result }));
  }

  private async callActivity(node: Node<'callActivity'>, token: LiveToken): Promise<void> {
    const c = node.call;
    const variables = this.mapping(node.id, c.input, this.variables);
    token.waitingFor = 'child';
    try {
      const ref = await resolveActivities.resolveDefinition(
        this.input.actor.tenantId,
        c.definition,
        c.version,
      );
      const child: ProcessInput = {
        actor: this.input.actor,
        definition: ref,
        variables,
        businessKey: this.input.businessKey,
        ...(this.input.traceparent ? { traceparent: this.input.traceparent } : {}),
        ...(this.input.options ? { options: this.input.options } : {}),
      };
      const result = await executeChild<(input: ProcessInput) => Promise<ProcessResult>>(
        PROCESS_WORKFLOW_TYPE,
        {
          workflowId: `${workflowInfo().workflowId}:${node.id}:${this.nextSeq()}`,
          args: [child],
          typedSearchAttributes: [
            { key: SA.tenant, value: this.input.actor.tenantId },
            { key: SA.definition, value: ref.name },
            { key: SA.version, value: ref.version },
            { key: SA.status, value: 'RUNNING' },
            { key: SA.businessKey, value: this.input.businessKey },
          ],
        },
      );
      if (c.output)
        this.merge(
          this.mapping(node.id, c.output, { ...result.variables, result: result.variables }),
        );
    } catch (err) {
      throw this.activityError(node.id, err);
    } finally {
      token.waitingFor = undefined;
    }
  }

  // ---------------------------------------------------------------- compensation

  /** Compensates completed compensable tasks of scope `scope` (and nested ones), newest first. */
  async compensate(scope: string): Promise<void> {
    const mine = this.compensations.filter(
      (e) => e.scope === scope || e.scope.startsWith(`${scope}/`),
    );
    for (const entry of [...mine].reverse()) {
      const node = this.plan.nodes[entry.nodeId];
      if (node?.type !== 'serviceTask') continue;
      this.log('compensating', entry.nodeId, { detail: entry.rpc });
      try {
        await serviceActivities(node.call).callService({
          rpc: entry.rpc,
          request: entry.request,
          actor: this.input.actor,
          ...(this.input.traceparent ? { traceparent: this.input.traceparent } : {}),
          idempotencyKey: `${workflowInfo().workflowId}/compensate/${entry.nodeId}/${this.nextSeq()}`,
        });
      } catch (err) {
        throw this.activityError(entry.nodeId, err);
      }
      this.compensations = this.compensations.filter((e) => e !== entry);
      this.log('compensated', entry.nodeId);
    }
  }

  // ---------------------------------------------------------------- helpers

  private merge(patch: Record<string, unknown>): void {
    this.variables = { ...this.variables, ...patch };
  }

  private mapping(
    nodeId: string,
    expr: Parameters<typeof evaluateContext>[0],
    context: Record<string, unknown>,
  ): Record<string, unknown> {
    return this.feel(nodeId, () => evaluateContext(expr, context));
  }

  private feel<T>(nodeId: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProcessIncident) throw err;
      throw new ProcessIncident(nodeId, (err as Error).message);
    }
  }

  // ---------------------------------------------------------------- views and continue-as-new

  tokenViews(): TokenView[] {
    const out: TokenView[] = [...this.tokens.values()].map((t) => ({
      id: t.id,
      nodeId: t.nodeId,
      scope: t.run.id,
      ...(t.waitingFor ? { waitingFor: t.waitingFor } : {}),
    }));
    for (const run of this.scopeRuns.values()) {
      for (const [gateway, arrivals] of run.joins) {
        // The token waiting at an inclusive join is listed above already.
        let skip = run.waiters.has(gateway) ? 1 : 0;
        for (const [edge, count] of arrivals)
          for (let i = 0; i < count; i++) {
            if (skip > 0) {
              skip--;
              continue;
            }
            out.push({
              id: `join:${gateway}:${edge}:${i}`,
              nodeId: gateway,
              scope: run.id,
              waitingFor: 'join',
            });
          }
      }
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Whether the instance is at a point where its whole state is data: every token waits for a
   * user task, a timer or a message in the process scope, and no completion is in flight.
   */
  quiescent(): boolean {
    if (this.completions.size > 0 || this.scopeRuns.size !== 1) return false;
    const root = this.scopeRuns.get('root');
    if (
      !root ||
      root.waiters.size > 0 ||
      root.error ||
      root.terminated ||
      root.failure !== undefined
    )
      return false;
    if (this.tokens.size === 0) return false;
    for (const t of this.tokens.values()) {
      if (t.waitingFor !== 'userTask' && t.waitingFor !== 'timer' && t.waitingFor !== 'message')
        return false;
    }
    return true;
  }

  resumeTokens(): ResumeToken[] {
    return [...this.tokens.values()].map((t) => ({
      id: t.id,
      nodeId: t.nodeId,
      ...(t.via !== undefined ? { via: t.via } : {}),
      memo: clone(t.memo),
    }));
  }

  joinsOfRoot(): Record<string, Record<string, number>> {
    const root = this.scopeRuns.get('root');
    const out: Record<string, Record<string, number>> = {};
    for (const [g, m] of root?.joins ?? []) out[g] = Object.fromEntries(m);
    return out;
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
