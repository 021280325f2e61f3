import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  AgentCallRequest,
  ServiceCallRequest,
  SignalBroadcast,
} from '../workflow/activity-types.js';
import { BpmnError } from '../workflow/bpmn-errors.js';
import type {
  CancelScope,
  InstanceAttributes,
  WorkflowPort,
} from '../workflow/engine/workflow-port.js';
import type { LoadedDecision, ProcessInput, ProcessRef, ProcessResult } from '../workflow/types.js';
import { FakeCancelled, FakeScope } from './fake-cancel-scope.js';

/** What a fake activity or child answers: a value, or a promise the test settles itself. */
type Answer<T> = T | Promise<T>;

/** The outside world of a fake instance; a missing handler fails the call. */
export interface FakeWorld {
  callService?(call: ServiceCallRequest): Answer<Record<string, unknown>>;
  invokeAgent?(call: AgentCallRequest): Answer<unknown>;
  /** The other instances a thrown signal reached (0 when absent: nobody else waits). */
  broadcastSignal?(broadcast: SignalBroadcast): Answer<number>;
  resolveDefinition?(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Answer<ProcessRef>;
  executeChild?(workflowId: string, input: ProcessInput): Answer<ProcessResult>;
  loadPlan?(ref: ProcessRef, tenantId: string): Answer<string>;
  loadDecision?(tenantId: string, name: string, version: number | 'latest'): Answer<LoadedDecision>;
}

/** A domain refusal as an activity reports it: `reason` becomes the BPMN error code. */
export class DomainFailure extends Error {
  override readonly name = 'DomainFailure';
  constructor(
    readonly reason: string,
    message = reason,
  ) {
    super(message);
  }
}

/** One operation the engine asked the port for, in order (the fake's "commands"). */
export type FakeCommand =
  | { readonly type: 'activity'; readonly name: string; readonly detail: string }
  | { readonly type: 'timer'; readonly ms: number }
  | { readonly type: 'child'; readonly workflowId: string }
  | { readonly type: 'escalateToParent'; readonly code: string; readonly nodeId: string }
  | { readonly type: 'publish'; readonly attributes: InstanceAttributes };

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/**
 * A deterministic {@link WorkflowPort} for unit tests of the process engine: a virtual clock
 * that moves only when the test says so, activities and children answered by {@link FakeWorld}
 * handlers in the order they were scheduled, cancellation scopes with Temporal's propagation
 * rules, and a log of every operation. Nothing runs on its own: `settle` runs what is due now,
 * `advance` moves the clock and fires the timers on the way.
 */
export class FakeWorkflowPort implements WorkflowPort {
  readonly commands: FakeCommand[] = [];
  /** The visibility the instance published last (per field). */
  readonly attributes: { -readonly [K in keyof InstanceAttributes]: InstanceAttributes[K] } = {};
  /** Answer of `continueAsNewSuggested`. */
  suggestContinueAsNew = false;
  #now: number;
  #seq = 0;
  readonly #storage = new AsyncLocalStorage<FakeScope>();
  readonly #root: FakeScope;
  readonly #workflowId: string;
  #timers: Timer[] = [];
  #due: Array<() => void> = [];
  #inFlight = 0;
  #moves = 0;
  #blocked: Array<{ fn: () => boolean; resolve: () => void }> = [];

  constructor(
    readonly world: FakeWorld = {},
    options: { readonly now?: number; readonly workflowId?: string } = {},
  ) {
    this.#now = options.now ?? Date.UTC(2026, 0, 5, 9);
    this.#workflowId = options.workflowId ?? 'tenant:instance-1';
    this.#root = new FakeScope(this.#storage, undefined);
  }

  workflowId(): string {
    return this.#workflowId;
  }

  now(): number {
    return this.#now;
  }

  #current(): FakeScope {
    return this.#storage.getStore() ?? this.#root;
  }

  /** A cancellable wait in the current scope; `start` gets resolve/reject and runs at once. */
  #wait<T>(start: (resolve: (v: T) => void) => () => void): Promise<T> {
    const scope = this.#current();
    if (scope.cancelled) return Promise.reject(new FakeCancelled('cancelled'));
    return new Promise<T>((resolve, reject) => {
      let dispose = (): void => {};
      const onCancel = (err: FakeCancelled): void => {
        scope.waits.delete(onCancel);
        dispose();
        reject(err);
      };
      scope.waits.add(onCancel);
      dispose = start((v) => {
        scope.waits.delete(onCancel);
        resolve(v);
      });
    });
  }

  sleep(ms: number): Promise<void> {
    this.commands.push({ type: 'timer', ms });
    return this.#wait<void>((resolve) => {
      const timer: Timer = { at: this.#now + ms, seq: ++this.#seq, fire: () => resolve() };
      this.#timers.push(timer);
      return () => (this.#timers = this.#timers.filter((t) => t !== timer));
    });
  }

  condition(fn: () => boolean): Promise<void> {
    return this.#wait<void>((resolve) => {
      if (fn()) {
        resolve();
        return () => {};
      }
      const entry = { fn, resolve };
      this.#blocked.push(entry);
      return () => (this.#blocked = this.#blocked.filter((b) => b !== entry));
    });
  }

  scope(): CancelScope {
    return new FakeScope(this.#storage, this.#current());
  }

  nonCancellable<T>(fn: () => Promise<T>): Promise<T> {
    return new FakeScope(this.#storage, this.#current(), false).run(fn);
  }

  isCancellation(err: unknown): boolean {
    return err instanceof FakeCancelled;
  }

  bpmnError(err: unknown): BpmnError | undefined {
    return err instanceof DomainFailure ? new BpmnError(err.reason, err.message) : undefined;
  }

  /** Schedules an answer for the next `settle`, cancellable while it has not arrived. */
  #schedule<T>(command: FakeCommand, answer: () => Answer<T>): Promise<T> {
    this.commands.push(command);
    return this.#wait<{ ok: true; value: T } | { ok: false; error: unknown }>((resolve) => {
      let live = true;
      this.#due.push(() => {
        if (!live) return;
        try {
          this.#inFlight++;
          Promise.resolve(answer())
            .then(
              (value) => resolve({ ok: true, value }),
              (error: unknown) => resolve({ ok: false, error }),
            )
            .finally(() => {
              this.#inFlight--;
              this.#moves++;
            });
        } catch (error) {
          this.#inFlight--;
          resolve({ ok: false, error });
        }
      });
      return () => (live = false);
    }).then((r) => (r.ok ? r.value : Promise.reject(r.error as Error)));
  }

  #missing(what: string): never {
    throw new Error(`the fake world has no ${what}`);
  }

  loadPlan(ref: ProcessRef, tenantId: string): Promise<string> {
    return this.#schedule({ type: 'activity', name: 'loadPlan', detail: ref.name }, () =>
      this.world.loadPlan ? this.world.loadPlan(ref, tenantId) : this.#missing('loadPlan'),
    );
  }

  loadDecision(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<LoadedDecision> {
    return this.#schedule({ type: 'activity', name: 'loadDecision', detail: name }, () =>
      this.world.loadDecision
        ? this.world.loadDecision(tenantId, name, version)
        : this.#missing('loadDecision'),
    );
  }

  resolveDefinition(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<ProcessRef> {
    return this.#schedule({ type: 'activity', name: 'resolveDefinition', detail: name }, () =>
      this.world.resolveDefinition
        ? this.world.resolveDefinition(tenantId, name, version)
        : this.#missing('resolveDefinition'),
    );
  }

  callService(call: ServiceCallRequest): Promise<Record<string, unknown>> {
    return this.#schedule({ type: 'activity', name: 'callService', detail: call.rpc }, () =>
      this.world.callService ? this.world.callService(call) : this.#missing('callService'),
    );
  }

  broadcastSignal(broadcast: SignalBroadcast): Promise<number> {
    return this.#schedule(
      { type: 'activity', name: 'broadcastSignal', detail: broadcast.signal },
      () => (this.world.broadcastSignal ? this.world.broadcastSignal(broadcast) : 0),
    );
  }

  invokeAgent(call: AgentCallRequest): Promise<unknown> {
    return this.#schedule({ type: 'activity', name: 'invokeAgent', detail: call.nodeId }, () =>
      this.world.invokeAgent ? this.world.invokeAgent(call) : this.#missing('invokeAgent'),
    );
  }

  executeChild(workflowId: string, input: ProcessInput): Promise<ProcessResult> {
    return this.#schedule({ type: 'child', workflowId }, () =>
      this.world.executeChild
        ? this.world.executeChild(workflowId, input)
        : this.#missing('executeChild'),
    );
  }

  /** Whether the instance was started by a call activity (`escalateToParent` signals it). */
  hasParent = false;

  /** Changes (`patched()` ids) this run does not take, as in a replay of an older history. */
  readonly unpatched = new Set<string>();

  patched(id: string): boolean {
    return !this.unpatched.has(id);
  }

  escalateToParent(escalation: { code: string; nodeId: string }): Promise<void> | undefined {
    if (!this.hasParent) return undefined;
    this.commands.push({ type: 'escalateToParent', ...escalation });
    return Promise.resolve();
  }

  publish(attributes: InstanceAttributes): void {
    this.commands.push({ type: 'publish', attributes });
    Object.assign(this.attributes, attributes);
  }

  continueAsNewSuggested(): boolean {
    return this.suggestContinueAsNew;
  }

  handlersFinished(): boolean {
    return true;
  }

  // ---------------------------------------------------------------- driving

  /** Cancels the instance (the root scope), as a cancel request to the workflow does. */
  cancelInstance(): void {
    this.#root.cancel();
  }

  /**
   * Runs everything due at the current instant: answers scheduled activities and children (in
   * scheduling order), unblocks conditions, until nothing moves. Answers a handler gave as a
   * promise are waited for a while (a child run on a port of its own); one that never settles is
   * the test holding it. The clock does not move.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let rounds = 0; rounds < 100_000; rounds++) {
      await new Promise((r) => setImmediate(r));
      const moved = this.#moves;
      const due = this.#due;
      this.#due = [];
      for (const answer of due) answer();
      for (const b of [...this.#blocked]) {
        if (this.#blocked.includes(b) && b.fn()) {
          this.#blocked = this.#blocked.filter((x) => x !== b);
          b.resolve();
          this.#moves++;
        }
      }
      if (due.length > 0 || this.#moves !== moved) quiet = 0;
      else if (++quiet >= (this.#inFlight > 0 ? 50 : 2)) return;
    }
    throw new Error('the fake instance did not settle (a loop without waits?)');
  }

  /** Moves the clock by `ms`, firing every timer due on the way in time order, settling after each. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await this.settle();
    for (;;) {
      const next = [...this.#timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next || next.at > until) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.at);
      next.fire();
      await this.settle();
    }
    this.#now = until;
  }

  /** When the earliest pending timer fires (epoch ms), if one is pending. */
  nextTimer(): number | undefined {
    const at = this.#timers.map((t) => t.at);
    return at.length > 0 ? Math.min(...at) : undefined;
  }
}
