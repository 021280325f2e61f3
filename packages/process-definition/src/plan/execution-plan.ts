import type { IsoDuration } from '../timer/iso8601.js';

/**
 * The ExecutionPlan: what the Temporal interpreter runs, compiled from a ProcessDefinition.
 *
 * Token semantics: a token sits on a node; when the node completes, the interpreter follows
 * `outgoing`. Layout, lanes, documentation and annotations are not in the plan, so moving a
 * box does not change the hash. Everything here is plain JSON; types only, safe to import from
 * workflow code.
 */
export interface ExecutionPlan {
  readonly planVersion: 1;
  readonly process: { readonly id: string; readonly name?: string };
  /** Declared variables, sorted by name. */
  readonly variables: readonly PlanVariable[];
  /** Scopes by id: the process (id = process id) and one per subProcess. */
  readonly scopes: Readonly<Record<string, PlanScope>>;
  /** Nodes by id (keys sorted). */
  readonly nodes: Readonly<Record<string, PlanNode>>;
  /** Message names some node waits for, sorted. */
  readonly messages: readonly string[];
}

export interface PlanVariable {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
}

export interface PlanScope {
  readonly id: string;
  /** Enclosing scope; absent for the process scope. */
  readonly parent?: string;
  /** The none start event where a token is placed when the scope starts. */
  readonly start?: string;
  /** Start events with a timer or message trigger (process scope only), sorted. */
  readonly eventStarts: readonly string[];
  /** Node ids of the scope, sorted. */
  readonly nodes: readonly string[];
  /**
   * Event subprocesses of the scope (sorted): watched while a run of the scope runs. Absent when
   * there are none.
   */
  readonly eventSubProcesses?: readonly string[];
}

/** A FEEL expression, kept as source (checked to parse at compile time). */
export interface FeelExpression {
  readonly feel: string;
}

/** A sequence flow as the interpreter follows it. */
export interface PlanTransition {
  readonly edge: string;
  readonly target: string;
  readonly condition?: FeelExpression;
  readonly isDefault?: true;
}

export type PlanTimer =
  | {
      readonly type: 'duration';
      readonly source: string;
      readonly duration: IsoDuration;
      readonly ms?: number;
    }
  | { readonly type: 'date'; readonly source: string; readonly epochMs: number }
  | {
      readonly type: 'cycle';
      readonly source: string;
      /** `null`: repeats without bound. */
      readonly repetitions: number | null;
      readonly startEpochMs?: number;
      readonly interval: IsoDuration;
      readonly intervalMs?: number;
    };

export interface PlanMessage {
  readonly name: string;
  readonly correlationKey: FeelExpression;
  readonly output?: FeelExpression;
}

export interface PlanRetry {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly backoff: number;
}

/** A resolved proto RPC call: `rpc` is `service/method`. */
export interface PlanServiceCall {
  readonly service: string;
  readonly method: string;
  readonly rpc: string;
  readonly input?: FeelExpression;
  readonly output?: FeelExpression;
  readonly retry: PlanRetry;
  readonly timeoutMs: number;
  readonly compensation?: {
    readonly method: string;
    readonly rpc: string;
    readonly input?: FeelExpression;
  };
}

export interface PlanBoundary {
  readonly id: string;
  readonly interrupting: boolean;
  readonly trigger:
    | { readonly type: 'timer'; readonly timer: PlanTimer }
    | { readonly type: 'message'; readonly message: PlanMessage }
    | { readonly type: 'error'; readonly errorCode?: string }
    | { readonly type: 'escalation'; readonly escalationCode?: string }
    | { readonly type: 'conditional'; readonly condition: FeelExpression }
    | { readonly type: 'signal'; readonly signal: string };
}

/** What starts an event subprocess: the trigger of its start event. */
export interface PlanEventTrigger {
  readonly startEvent: string;
  readonly interrupting: boolean;
  readonly trigger: PlanBoundary['trigger'];
}

interface PlanNodeBase {
  readonly id: string;
  readonly name?: string;
  readonly scope: string;
  /** Flows entering the node, sorted. A parallel join waits for one token on each. */
  readonly incoming: readonly string[];
  /**
   * Flows to follow when the node completes. Exclusive and inclusive gateways: conditional
   * flows in definition order (the first true one wins at an exclusive gateway), the default
   * flow last. Elsewhere all flows are taken, sorted by edge id.
   */
  readonly outgoing: readonly PlanTransition[];
}

/**
 * Multi-instance: the activity runs once per element of `inputCollection`. Inside an instance
 * `inputElement` and `loopCounter` (1-based) are local variables and what the activity writes
 * stays local; `outputElement` (default: the instance's own variables) fills `outputCollection`.
 */
export interface PlanMultiInstance {
  readonly sequential: boolean;
  readonly inputCollection: FeelExpression;
  readonly inputElement?: string;
  readonly outputCollection?: string;
  readonly outputElement?: FeelExpression;
  readonly completionCondition?: FeelExpression;
  /** Instances running at once (1 when sequential). */
  readonly maxConcurrency: number;
}

interface PlanActivityBase extends PlanNodeBase {
  /** Boundary events attached to this activity, sorted by id. */
  readonly boundaryEvents: readonly PlanBoundary[];
  /** Absent: the activity runs once. */
  readonly multiInstance?: PlanMultiInstance;
}

export type PlanNode =
  | (PlanNodeBase & {
      readonly type: 'startEvent';
      readonly trigger:
        | { readonly type: 'none' }
        | { readonly type: 'timer'; readonly timer: PlanTimer }
        | { readonly type: 'message'; readonly message: PlanMessage }
        /** Event subprocesses only. */
        | { readonly type: 'error'; readonly errorCode?: string }
        | { readonly type: 'escalation'; readonly escalationCode?: string }
        | { readonly type: 'conditional'; readonly condition: FeelExpression }
        | { readonly type: 'signal'; readonly signal: string };
    })
  | (PlanNodeBase & {
      readonly type: 'endEvent';
      readonly result:
        | { readonly type: 'none' }
        | { readonly type: 'terminate' }
        | { readonly type: 'compensate' }
        | { readonly type: 'error'; readonly errorCode?: string }
        | { readonly type: 'escalation'; readonly escalationCode: string }
        | { readonly type: 'signal'; readonly signal: string };
    })
  | (PlanActivityBase & { readonly type: 'serviceTask'; readonly call: PlanServiceCall })
  /** A send task: sends through a proto RPC, exactly like a service task. */
  | (PlanActivityBase & { readonly type: 'sendTask'; readonly call: PlanServiceCall })
  /** A receive task: waits for its message, like an intermediate message catch event. */
  | (PlanActivityBase & { readonly type: 'receiveTask'; readonly message: PlanMessage })
  | (PlanActivityBase & {
      readonly type: 'userTask';
      readonly task: {
        readonly title: string;
        readonly assignee?: FeelExpression;
        readonly candidateGroups?: FeelExpression;
        readonly form?: Readonly<Record<string, unknown>>;
        readonly due?: PlanTimer;
        readonly output?: FeelExpression;
      };
    })
  | (PlanActivityBase & {
      readonly type: 'agentTask';
      readonly agent: {
        readonly agent: string;
        readonly version: 'latest' | number;
        readonly instructions?: string;
        readonly riskTier: 'low' | 'medium' | 'high';
        readonly input?: FeelExpression;
        readonly output?: FeelExpression;
      };
    })
  | (PlanActivityBase & {
      readonly type: 'scriptTask';
      readonly script: FeelExpression;
      readonly resultVariable?: string;
    })
  | (PlanActivityBase & {
      readonly type: 'callActivity';
      readonly call: {
        readonly definition: string;
        /** `latest` is resolved when the child instance starts. */
        readonly version: 'latest' | number;
        readonly input?: FeelExpression;
        readonly output?: FeelExpression;
      };
    })
  | (PlanActivityBase & {
      readonly type: 'businessRuleTask';
      readonly decision: {
        /** Name of the DecisionDefinition artifact. */
        readonly decision: string;
        /**
         * `latest` is resolved when the task runs; the DecisionPlan evaluated is pinned by its hash
         * in the instance's history.
         */
        readonly version: 'latest' | number;
        /** Decision id inside the model; the model's only top-level decision when absent. */
        readonly decisionId?: string;
        /** Evaluation context (a FEEL context); all variables when absent. */
        readonly input?: FeelExpression;
        readonly resultVariable: string;
      };
    })
  | (PlanActivityBase & {
      readonly type: 'subProcess';
      /** Id of the scope the subProcess runs (its own id). */
      readonly childScope: string;
      /**
       * An event subprocess: what starts it (its start event's trigger) and whether that
       * interrupts its level. Event subprocesses have no flows; the runtime starts them.
       */
      readonly eventTrigger?: PlanEventTrigger;
    })
  | (PlanNodeBase & { readonly type: 'exclusiveGateway' })
  | (PlanNodeBase & { readonly type: 'eventBasedGateway' })
  | (PlanNodeBase & {
      readonly type: 'parallelGateway';
      /** Tokens the gateway waits for before it fires (its incoming flow count). */
      readonly joinArity: number;
    })
  | (PlanNodeBase & {
      readonly type: 'inclusiveGateway';
      /**
       * Incoming flow count. As a join it fires once every flow that can still deliver a token
       * (decided at run time over the plan's transitions) has delivered one.
       */
      readonly joinArity: number;
    })
  | (PlanNodeBase & { readonly type: 'intermediateTimerEvent'; readonly timer: PlanTimer })
  | (PlanNodeBase & { readonly type: 'intermediateMessageEvent'; readonly message: PlanMessage })
  | (PlanNodeBase & {
      readonly type: 'intermediateConditionalEvent';
      readonly condition: FeelExpression;
    })
  | (PlanNodeBase & {
      readonly type: 'intermediateThrowEvent';
      /** A link throw's `outgoing` leads to the catch event of its link (compiled in). */
      readonly throws:
        | { readonly type: 'escalation'; readonly escalationCode: string }
        | { readonly type: 'link'; readonly link: string }
        | { readonly type: 'signal'; readonly signal: string };
    })
  /** A signal catch event: waits until the signal is broadcast in the tenant. */
  | (PlanNodeBase & { readonly type: 'intermediateSignalEvent'; readonly signal: string })
  /** A link catch event: where the link throws of its name continue. */
  | (PlanNodeBase & { readonly type: 'intermediateLinkEvent'; readonly link: string })
  | (PlanNodeBase & {
      readonly type: 'boundaryEvent';
      readonly attachedTo: string;
      readonly interrupting: boolean;
      readonly trigger: PlanBoundary['trigger'];
    });

export type PlanNodeType = PlanNode['type'];

/** Current plan format version. */
export const PLAN_VERSION = 1;

/** Plans larger than this (canonical JSON, UTF-8) are refused: Temporal payloads are limited to 2 MB. */
export const MAX_PLAN_BYTES = 1024 * 1024;
