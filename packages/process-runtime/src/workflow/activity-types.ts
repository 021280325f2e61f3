import type { InstanceActor, LoadedDecision, ProcessRef } from './types.js';

/** Argument of the `callService` activity: one RPC of the proto module. */
export interface ServiceCallRequest {
  /** `package.Service/Method`. */
  readonly rpc: string;
  /** The request message as proto JSON (from the FEEL input mapping). */
  readonly request: Record<string, unknown>;
  readonly actor: InstanceActor;
  readonly traceparent?: string;
  /** Same value on every attempt of one task execution; sent as `idempotency-key`. */
  readonly idempotencyKey: string;
}

export interface AgentCallRequest {
  readonly agent: string;
  readonly version: 'latest' | number;
  readonly instructions?: string;
  readonly riskTier: 'low' | 'medium' | 'high';
  readonly input: Record<string, unknown>;
  readonly actor: InstanceActor;
  readonly instanceId: string;
  readonly nodeId: string;
}

/** One lifecycle step of an instance, appended to the process runtime's event log. */
export interface InstanceLifecycleEvent {
  readonly kind: 'started' | 'completed' | 'failed' | 'cancelled';
  readonly tenantId: string;
  /** The instance id (as StartProcess answered it, without the workflow id's tenant prefix). */
  readonly instanceId: string;
  readonly definition: string;
  readonly version: number;
  readonly businessKey: string;
  readonly traceparent?: string;
  /** ISO 8601, on the workflow clock. */
  readonly occurredAt: string;
  readonly error?: string;
}

/** The activities the interpreter workflow schedules (implemented in `activities/`). */
/** A signal thrown by an instance, to broadcast to the other instances of its tenant. */
export interface SignalBroadcast {
  readonly tenantId: string;
  readonly signal: string;
  /** The thrower's workflow id: it delivers the signal to itself. */
  readonly fromWorkflowId: string;
  /**
   * Names this throw (the activity's run and id, the same across its retries): an instance a
   * signal start event starts for it is started once.
   */
  readonly broadcastId?: string;
}

export interface ProcessActivities {
  /**
   * Delivers `signal` to every other running instance of the tenant that waits for it (never
   * to another tenant's); answers how many it reached.
   */
  broadcastSignal(broadcast: SignalBroadcast): Promise<number>;
  /** The plan's canonical JSON, verified against `ref.planHash`. */
  loadPlan(ref: ProcessRef, tenantId: string): Promise<string>;
  /** Resolves a call activity's callee to the published version a child instance is pinned to. */
  resolveDefinition(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<ProcessRef>;
  /**
   * Resolves a business rule task's decision definition to a published version and reads its
   * DecisionPlan, checked against the version's plan hash. The answer is recorded in history, so
   * a replay evaluates the same plan.
   */
  loadDecision(tenantId: string, name: string, version: number | 'latest'): Promise<LoadedDecision>;
  /** Calls `rpc`; answers the response as JSON (64-bit integers as numbers when safe). */
  callService(call: ServiceCallRequest): Promise<Record<string, unknown>>;
  invokeAgent(call: AgentCallRequest): Promise<unknown>;
  /** Appends an instance lifecycle event to the `process` event log (idempotent); no-op without one. */
  recordInstanceEvent(event: InstanceLifecycleEvent): Promise<void>;
}

/** ApplicationFailure type of a failure that carries a BPMN error code. */
export const BPMN_ERROR_TYPE = 'BpmnError';
/** ApplicationFailure type of an instance that cannot go on (a modelling or data problem). */
export const INCIDENT_TYPE = 'ProcessIncident';
/** Details of an activity failure raised by a domain error (the ApplicationFailure's first detail). */
export interface DomainFailureDetails {
  /** Connect code name, e.g. `failed_precondition`. */
  readonly code: string;
  /** ErrorInfo reason, e.g. `PAYMENT_DECLINED`. */
  readonly reason: string;
  readonly domain: string;
}
