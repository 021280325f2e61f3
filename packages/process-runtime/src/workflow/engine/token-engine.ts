import type { PlanBoundary, PlanNode, PlanTransition } from '@ameide/process-definition/plan';
import { BpmnError, ProcessIncident } from '../bpmn-errors.js';
import type { ProcessInput, ResumeToken, TokenMemo, TokenView } from '../types.js';
import type { InstanceState } from './instance-state.js';
import type { CancelScope, WorkflowPort } from './workflow-port.js';

/** A running scope instance (the process, or one execution of a subProcess). */
export interface ScopeRun {
  /** Path: `root`, `root/SubProcess_1#4`. */
  readonly id: string;
  /** The scope every token of the run runs in (replaced once, by an interrupting event subprocess). */
  cs: CancelScope;
  /** The scope an interrupting event subprocess runs in (created beside `cs`, used once). */
  spare?: CancelScope | undefined;
  /** The event subprocesses watched while the run runs. */
  events?: ScopeEvents;
  /** An interrupting event subprocess took over the run. */
  interrupted?: boolean;
  readonly pending: Set<Promise<void>>;
  /** Parallel/inclusive join arrivals: gateway → incoming edge → tokens. */
  readonly joins: Map<string, Map<string, number>>;
  /** Inclusive gateways where a token waits for the join condition. */
  readonly waiters: Set<string>;
  /** The scope run this one runs in (absent for the process scope). */
  readonly parent?: ScopeRun;
  /**
   * Local variables of a multi-instance instance (its element, `loopCounter`, what it wrote);
   * tokens of this run and the runs nested in it read them over the process variables.
   */
  readonly locals?: Record<string, unknown>;
  /** The multi-instance activity this run is one instance of. */
  readonly loopOf?: string;
  /** The token whose activity runs this run (a subProcess, a multi-instance activity). */
  readonly host?: LiveToken;
  error?: BpmnError | undefined;
  failure?: unknown;
  cancelled?: unknown;
  terminated: boolean;
  lastEnd?: string;
}

/** The event subprocesses of a scope run, as the token engine drives them. */
export interface ScopeEvents {
  /**
   * An error no boundary event caught reached the run: whether an error event subprocess takes it
   * (it then interrupts the run, see {@link TokenEngine.interrupt}).
   */
  catchError(err: BpmnError): boolean;
  /**
   * An escalation thrown inside the run: how an escalation event subprocess took it (it then
   * runs, or interrupts the run), or `undefined` when none takes it.
   */
  catchEscalation(code: string): 'interrupting' | 'non-interrupting' | undefined;
  /** The run is over: stop watching. */
  stop(): void;
}

/** Starts watching the event subprocesses of plan scope `scope` for a new run of it. */
export type ScopeWatcher = (run: ScopeRun, scope: string) => ScopeEvents;

/** Where a scope run sits: its parent run and, for a multi-instance instance, its locals. */
export interface ScopeFrame {
  /** The plan scope the run starts (the process or a subProcess): its event subprocesses are watched. */
  readonly scope?: string;
  readonly parent?: ScopeRun;
  readonly locals?: Record<string, unknown>;
  readonly loopOf?: string;
  readonly host?: LiveToken;
}

/** A token: a coroutine walking the plan inside one scope run. */
export interface LiveToken {
  readonly id: string;
  readonly run: ScopeRun;
  nodeId: string;
  via: string | undefined;
  memo: TokenMemo;
  waitingFor: TokenView['waitingFor'];
  /** Carried over by continue-as-new and not yet past the node it waited at. */
  resumed: boolean;
  /**
   * While the token runs an activity with boundary events: fires one of them (an interrupting one
   * cancels the activity's body, a non-interrupting one starts a token at the boundary event).
   */
  boundary?: ((b: PlanBoundary) => void) | undefined;
  /** While the token runs a call activity: the called instance's workflow id. */
  child?: string | undefined;
}

/** How a scope run ended when it did not throw. */
export type ScopeOutcome = {
  readonly kind: 'completed' | 'terminated';
  readonly endEvent?: string;
};

/** What a node handler works with. */
export interface NodeContext {
  readonly state: InstanceState;
  readonly tokens: TokenEngine;
  readonly port: WorkflowPort;
  readonly input: ProcessInput;
  /** Nodes from which a node is reachable, by target (inclusive joins); filled on demand. */
  readonly reach: Map<string, Set<string>>;
}

/** Runs one node for a token; answers the flows it follows (`undefined`: the token is consumed). */
export type NodeExecutor = (
  node: PlanNode,
  token: LiveToken,
) => Promise<readonly PlanTransition[] | undefined>;

/**
 * The token engine: scope runs, spawning and retiring tokens, join arrivals. Every token is a
 * coroutine; a scope run owns a cancellation scope, so a terminate end, an error or an
 * interrupting boundary event cancels exactly its tokens. What a node does is the executor's
 * business (the handlers); this only moves tokens along the flows the executor answers.
 */
export class TokenEngine {
  readonly #tokens = new Map<string, LiveToken>();
  readonly #scopeRuns = new Map<string, ScopeRun>();
  #resumeIds: Set<string> | undefined;

  constructor(
    private readonly state: InstanceState,
    private readonly port: WorkflowPort,
    private readonly input: ProcessInput,
    private readonly execute: NodeExecutor,
    private readonly watch?: ScopeWatcher,
  ) {}

  /** Runs the process scope from its start event, or resumes the tokens carried over. */
  async runProcess(): Promise<ScopeOutcome> {
    const plan = this.state.plan;
    const scope = plan.scopes[plan.process.id];
    if (!scope) throw new ProcessIncident(plan.process.id, 'plan has no process scope');
    const resume = this.input.resume;
    const frame = { scope: scope.id };
    if (resume) {
      return this.runScope('root', resume.tokens, resume.joins, frame);
    }
    // A timer, message or signal start event names itself in the input; a start by StartProcess
    // takes the none start event (or, when there is none, the first event start).
    const named = this.input.start?.node;
    if (named !== undefined && !scope.eventStarts.includes(named))
      throw new ProcessIncident(named, 'the instance was started at no start event of the process');
    const start = named ?? scope.start ?? scope.eventStarts[0];
    if (start === undefined) throw new ProcessIncident(scope.id, 'the process has no start event');
    return this.runScope(
      'root',
      [{ id: `t${this.state.nextSeq()}`, nodeId: start, memo: {} }],
      {},
      frame,
    );
  }

  /** Runs a scope run until all its tokens are gone; rethrows what ended it abnormally. */
  async runScope(
    id: string,
    initial: readonly ResumeToken[],
    joins: Record<string, Record<string, number>>,
    frame: ScopeFrame = {},
  ): Promise<ScopeOutcome> {
    const run: ScopeRun = {
      id,
      cs: this.port.scope(),
      pending: new Set(),
      joins: new Map(Object.entries(joins).map(([g, m]) => [g, new Map(Object.entries(m))])),
      waiters: new Set(),
      terminated: false,
      ...(frame.parent ? { parent: frame.parent } : {}),
      ...(frame.locals ? { locals: frame.locals } : {}),
      ...(frame.loopOf !== undefined ? { loopOf: frame.loopOf } : {}),
      ...(frame.host ? { host: frame.host } : {}),
    };
    this.#scopeRuns.set(id, run);
    const watched =
      frame.scope !== undefined &&
      this.watch !== undefined &&
      (this.state.plan.scopes[frame.scope]?.eventSubProcesses?.length ?? 0) > 0;
    if (watched) {
      run.spare = this.port.scope();
      run.events = this.watch(run, frame.scope);
    }
    try {
      for (const t of initial) this.spawn(run, t.nodeId, t.via, t);
      while (run.pending.size > 0) await Promise.all([...run.pending]);
    } finally {
      run.events?.stop();
      this.#scopeRuns.delete(id);
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

  /**
   * The variables a token of `run` sees: the process variables, overlaid with the locals of the
   * multi-instance instances it runs in (innermost last). The process variables themselves when
   * there are none.
   */
  variablesOf(run: ScopeRun): Record<string, unknown> {
    let layers: Record<string, unknown>[] | undefined;
    for (let r: ScopeRun | undefined = run; r; r = r.parent)
      if (r.locals) (layers ??= []).unshift(r.locals);
    if (!layers) return this.state.variables;
    return Object.assign({}, this.state.variables, ...layers) as Record<string, unknown>;
  }

  #writes = 0;

  /** How many writes of variables (process or locals) the instance made: changes when they do. */
  get writes(): number {
    return this.#writes;
  }

  /** Writes what an activity of `run` produced: to its innermost instance's locals, else the process. */
  write(run: ScopeRun, patch: Record<string, unknown>): void {
    this.#writes++;
    for (let r: ScopeRun | undefined = run; r; r = r.parent) {
      if (r.locals) {
        Object.assign(r.locals, patch);
        return;
      }
    }
    this.state.merge(patch);
  }

  /** Starts a token at `nodeId` in `run` (a new one, or one carried over by continue-as-new). */
  spawn(run: ScopeRun, nodeId: string, via: string | undefined, resume?: ResumeToken): void {
    const token: LiveToken = {
      id: resume?.id ?? `t${this.state.nextSeq()}`,
      run,
      nodeId,
      via,
      memo: resume ? clone(resume.memo) : {},
      waitingFor: undefined,
      resumed: resume !== undefined && this.#isResume(resume),
    };
    this.#tokens.set(token.id, token);
    const cs = run.cs;
    const p: Promise<void> = cs
      .run(() => this.#runToken(token))
      .catch((err: unknown) => {
        // A token an interrupting event subprocess cancelled: its end is that interruption.
        if (cs !== run.cs && (err instanceof BpmnError || this.port.isCancellation(err))) return;
        if (err instanceof BpmnError) {
          if (!run.error && !run.terminated) {
            // An event subprocess's own error goes to the enclosing level, never back to it.
            const fromEventSubProcess = this.isEventSubProcess(token.nodeId);
            if (!run.interrupted && !fromEventSubProcess && run.events?.catchError(err)) return;
            run.error = err;
            run.cs.cancel();
          }
        } else if (this.port.isCancellation(err)) {
          run.cancelled ??= err;
        } else if (run.failure === undefined) {
          run.failure = err;
          run.cs.cancel();
        }
      })
      .finally(() => {
        run.pending.delete(p);
        this.#tokens.delete(token.id);
        this.state.unsubscribe(token.id);
      });
    run.pending.add(p);
  }

  /** Whether `nodeId` is an event subprocess (its errors and escalations skip its own level). */
  isEventSubProcess(nodeId: string): boolean {
    const node = this.state.plan.nodes[nodeId];
    return node?.type === 'subProcess' && node.eventTrigger !== undefined;
  }

  /**
   * An interrupting event subprocess takes over `run`: every other token of the run (and what
   * runs inside them) is cancelled, pending joins are dropped, and a token starts the event
   * subprocess `nodeId` in the run's spare scope. The run then ends when that token does. Answers
   * false when the run was interrupted already (or has no spare scope).
   */
  interrupt(run: ScopeRun, nodeId: string): boolean {
    const spare = run.spare;
    if (!spare || run.interrupted || run.terminated) return false;
    const old = run.cs;
    run.cs = spare;
    run.spare = undefined;
    run.interrupted = true;
    run.error = undefined;
    run.cancelled = undefined;
    run.joins.clear();
    run.waiters.clear();
    old.cancel();
    this.spawn(run, nodeId, undefined);
    return true;
  }

  #isResume(t: ResumeToken): boolean {
    this.#resumeIds ??= new Set(this.input.resume?.tokens.map((x) => x.id) ?? []);
    return this.#resumeIds.has(t.id);
  }

  async #runToken(token: LiveToken): Promise<void> {
    for (;;) {
      const node = this.state.plan.nodes[token.nodeId];
      if (!node) throw new ProcessIncident(token.nodeId, `node ${token.nodeId} is not in the plan`);
      if (!token.resumed) this.state.log('entered', node.id);
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

  /** Counts a token arriving at a join over `via`; answers the gateway's arrivals. */
  arrive(run: ScopeRun, gateway: string, via: string | undefined): Map<string, number> {
    const arrivals = run.joins.get(gateway) ?? new Map<string, number>();
    run.joins.set(gateway, arrivals);
    const edge = via ?? '';
    arrivals.set(edge, (arrivals.get(edge) ?? 0) + 1);
    return arrivals;
  }

  /** The token whose call activity runs the instance `workflowId`, if one does. */
  tokenWithChild(workflowId: string): LiveToken | undefined {
    for (const t of this.#tokens.values()) if (t.child === workflowId) return t;
    return undefined;
  }

  /** Whether a token of `run` other than `self` sits on one of the nodes `from`. */
  anyTokenAt(run: ScopeRun, from: ReadonlySet<string>, self: string): boolean {
    for (const t of this.#tokens.values()) {
      if (t.run === run && t.id !== self && from.has(t.nodeId)) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- views and continue-as-new

  tokenViews(): TokenView[] {
    const out: TokenView[] = [...this.#tokens.values()].map((t) => ({
      id: t.id,
      nodeId: t.nodeId,
      scope: t.run.id,
      ...(t.waitingFor ? { waitingFor: t.waitingFor } : {}),
    }));
    for (const run of this.#scopeRuns.values()) {
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
   * Whether every token waits for a user task, a timer, a message or a condition in the process scope, or is a
   * multi-instance activity parked between instances (and nothing else runs), so the tokens are plain data continue-as-new can carry over.
   */
  atRest(): boolean {
    if (this.#scopeRuns.size !== 1) return false;
    const root = this.#scopeRuns.get('root');
    if (
      !root ||
      root.waiters.size > 0 ||
      root.error ||
      root.terminated ||
      root.failure !== undefined
    )
      return false;
    if (this.#tokens.size === 0) return false;
    for (const t of this.#tokens.values()) {
      if (
        t.waitingFor !== 'userTask' &&
        t.waitingFor !== 'timer' &&
        t.waitingFor !== 'message' &&
        t.waitingFor !== 'condition' &&
        t.waitingFor !== 'signal' &&
        t.waitingFor !== 'multiInstance'
      )
        return false;
    }
    return true;
  }

  resumeTokens(): ResumeToken[] {
    return [...this.#tokens.values()].map((t) => ({
      id: t.id,
      nodeId: t.nodeId,
      ...(t.via !== undefined ? { via: t.via } : {}),
      memo: clone(t.memo),
    }));
  }

  joinsOfRoot(): Record<string, Record<string, number>> {
    const root = this.#scopeRuns.get('root');
    const out: Record<string, Record<string, number>> = {};
    for (const [g, m] of root?.joins ?? []) out[g] = Object.fromEntries(m);
    return out;
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
