import {
  ROOT_SCOPE,
  buildProcessGraph,
  incomingOf,
  linkTargetOf,
  outgoingOf,
  type ProcessGraph,
} from '../graph/process-graph.js';
import { lintProcessDefinition } from '../lint/lint-process-definition.js';
import type { LintOptions } from '../lint/lint-rule.js';
import type { Diagnostic } from '../model/diagnostic.js';
import {
  DEFAULT_MULTI_INSTANCE_CONCURRENCY,
  type EventTrigger,
  type MessageSubscription,
  type NodeOfType,
  type ProcessDefinition,
  type ProcessNode,
  type TimerDefinition,
} from '../model/process-definition.js';
import { canonicalJson } from '../plan/canonical-json.js';
import {
  MAX_PLAN_BYTES,
  PLAN_VERSION,
  type ExecutionPlan,
  type FeelExpression,
  type PlanBoundary,
  type PlanMessage,
  type PlanMultiInstance,
  type PlanNode,
  type PlanScope,
  type PlanTimer,
  type PlanTransition,
} from '../plan/execution-plan.js';
import { sha256Hex } from '../plan/sha256.js';
import { durationToMilliseconds, parseIsoDuration, parseTimer } from '../timer/iso8601.js';

/** Retry policy of service tasks whose binding names none. */
export const DEFAULT_SERVICE_RETRY = {
  maxAttempts: 3,
  initialInterval: 'PT1S',
  backoff: 2,
} as const;
/** Timeout of one service call attempt when the binding names none. */
export const DEFAULT_SERVICE_TIMEOUT = 'PT30S';

export interface CompileOptions extends LintOptions {
  /** Refuse plans whose canonical JSON is larger (bytes). Default {@link MAX_PLAN_BYTES} (1 MiB). */
  readonly maxPlanBytes?: number;
}

export type CompileResult =
  | {
      readonly ok: true;
      readonly plan: ExecutionPlan;
      /** SHA-256 of {@link json} (UTF-8), lowercase hex. */
      readonly hash: string;
      /** The plan as canonical JSON: what is stored and hashed. */
      readonly json: string;
      /** Lint warnings (compilation only proceeds without errors). */
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Compiler diagnostics (lint codes are AM0xx). */
export const COMPILE_CODES = {
  planTooLarge: 'AM200',
  internal: 'AM201',
} as const;

/**
 * Compiles a ProcessDefinition (raw JSON or parsed) into an {@link ExecutionPlan}.
 * Lints first and refuses on any lint error; refuses plans over 1 MiB. Deterministic: the
 * same input gives byte-identical `json` and the same `hash`. Never throws.
 */
export function compileProcessDefinition(
  input: unknown,
  options: CompileOptions = {},
): CompileResult {
  const lint = lintProcessDefinition(input, options);
  if (lint.errorCount > 0 || !lint.definition) return { ok: false, diagnostics: lint.diagnostics };
  const definition = lint.definition;
  let plan: ExecutionPlan;
  let json: string;
  try {
    plan = buildPlan(definition, buildProcessGraph(definition));
    json = canonicalJson(plan);
  } catch (err) {
    return {
      ok: false,
      diagnostics: [
        ...lint.diagnostics,
        {
          code: COMPILE_CODES.internal,
          severity: 'error',
          message: `compiler failed: ${err instanceof Error ? err.message : String(err)}`,
          elementId: definition.id,
          elementKind: 'process',
        },
      ],
    };
  }
  const bytes = new TextEncoder().encode(json);
  const limit = options.maxPlanBytes ?? MAX_PLAN_BYTES;
  if (bytes.length > limit) {
    return {
      ok: false,
      diagnostics: [
        ...lint.diagnostics,
        {
          code: COMPILE_CODES.planTooLarge,
          severity: 'error',
          message: `the compiled plan is ${bytes.length} bytes, over the ${limit}-byte limit (Temporal payloads are capped at 2 MB); split the process with call activities`,
          elementId: definition.id,
          elementKind: 'process',
        },
      ],
    };
  }
  return { ok: true, plan, hash: sha256Hex(bytes), json, diagnostics: lint.diagnostics };
}

function buildPlan(def: ProcessDefinition, graph: ProcessGraph): ExecutionPlan {
  const scopeId = (node: ProcessNode): string => {
    const scope = graph.scopeOf.get(node.id) ?? ROOT_SCOPE;
    return scope === ROOT_SCOPE ? def.id : scope;
  };
  const nodes: Record<string, PlanNode> = {};
  const scopes: Record<
    string,
    {
      parent?: string;
      start?: string;
      eventStarts: string[];
      nodes: string[];
      eventSubProcesses: string[];
      triggered: boolean;
    }
  > = {
    [def.id]: { eventStarts: [], nodes: [], eventSubProcesses: [], triggered: false },
  };
  for (const n of def.nodes) {
    if (n.type === 'subProcess')
      scopes[n.id] = {
        parent: scopeId(n),
        eventStarts: [],
        nodes: [],
        eventSubProcesses: [],
        triggered: n.data.triggeredByEvent === true,
      };
  }
  const messages = new Set<string>();
  for (const n of def.nodes) {
    if (n.type === 'textAnnotation' || n.type === 'unsupported') continue;
    const scope = scopeId(n);
    const s = scopes[scope]!;
    s.nodes.push(n.id);
    if (n.type === 'startEvent') {
      // An event subprocess starts at its (triggered) start event once the runtime saw the trigger.
      if (n.data.event === undefined || s.triggered) s.start = n.id;
      else s.eventStarts.push(n.id);
    }
    if (n.type === 'subProcess' && n.data.triggeredByEvent === true) s.eventSubProcesses.push(n.id);
    const planNode = compileNode(n, scope, graph);
    if (planNode.type === 'intermediateMessageEvent' || planNode.type === 'receiveTask')
      messages.add(planNode.message.name);
    if (planNode.type === 'boundaryEvent' && planNode.trigger.type === 'message')
      messages.add(planNode.trigger.message.name);
    if (planNode.type === 'startEvent' && planNode.trigger.type === 'message')
      messages.add(planNode.trigger.message.name);
    nodes[n.id] = planNode;
  }
  const planScopes: Record<string, PlanScope> = {};
  for (const [id, s] of Object.entries(scopes)) {
    planScopes[id] = {
      id,
      ...(s.parent !== undefined ? { parent: s.parent } : {}),
      ...(s.start !== undefined ? { start: s.start } : {}),
      eventStarts: [...s.eventStarts].sort(),
      nodes: [...s.nodes].sort(),
      ...(s.eventSubProcesses.length > 0
        ? { eventSubProcesses: [...s.eventSubProcesses].sort() }
        : {}),
    };
  }
  return {
    planVersion: PLAN_VERSION,
    process: { id: def.id, ...(def.name !== undefined ? { name: def.name } : {}) },
    variables: [...def.variables]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((v) => ({ name: v.name, type: v.type, required: v.required ?? false })),
    scopes: sortKeys(planScopes),
    nodes: sortKeys(nodes),
    messages: [...messages].sort(),
  };
}

function compileNode(n: ProcessNode, scope: string, graph: ProcessGraph): PlanNode {
  const base = {
    id: n.id,
    ...(n.type !== 'textAnnotation' && n.data.name !== undefined ? { name: n.data.name } : {}),
    scope,
    incoming: incomingOf(graph, n.id)
      .map((e) => e.id)
      .sort(),
    outgoing: transitions(n, graph),
  };
  const activity = () => ({
    ...base,
    boundaryEvents: boundaryEvents(n.id, graph),
    ...multiInstanceOf(n),
  });
  switch (n.type) {
    case 'startEvent': {
      const ev = n.data.event;
      return {
        ...base,
        type: n.type,
        trigger: ev === undefined ? { type: 'none' } : eventTrigger(ev),
      };
    }
    case 'endEvent': {
      const ev = n.data.event;
      return {
        ...base,
        type: n.type,
        result:
          ev === undefined
            ? { type: 'none' }
            : ev.type === 'error'
              ? {
                  type: 'error',
                  ...(ev.errorCode !== undefined ? { errorCode: ev.errorCode } : {}),
                }
              : ev.type === 'escalation'
                ? { type: 'escalation', escalationCode: ev.escalationCode }
                : ev.type === 'signal'
                  ? { type: 'signal', signal: ev.signal }
                  : { type: ev.type },
      };
    }
    case 'intermediateConditionalEvent':
      return { ...base, type: n.type, condition: { feel: n.data.condition } };
    case 'intermediateThrowEvent': {
      const ev = n.data.event;
      if (ev.type === 'escalation')
        return {
          ...base,
          type: n.type,
          throws: { type: 'escalation', escalationCode: ev.escalationCode },
        };
      if (ev.type === 'signal')
        return { ...base, type: n.type, throws: { type: 'signal', signal: ev.signal } };
      const target = linkTargetOf(graph, n);
      if (!target) throw new Error(`link '${ev.link}' of '${n.id}' has no catch event`);
      return {
        ...base,
        type: n.type,
        outgoing: [{ edge: '', target: target.id }],
        throws: { type: 'link', link: ev.link },
      };
    }
    case 'intermediateLinkEvent':
      return { ...base, type: n.type, link: n.data.link };
    case 'intermediateSignalEvent':
      return { ...base, type: n.type, signal: n.data.signal };
    case 'serviceTask':
    case 'sendTask':
      return { ...activity(), type: n.type, call: serviceCall(n) };
    case 'receiveTask':
      return {
        ...activity(),
        type: n.type,
        message: planMessage(required(n, n.data.message)),
      };
    case 'userTask': {
      const b = n.data.binding ?? {};
      return {
        ...activity(),
        type: n.type,
        task: {
          title: b.title ?? n.data.name ?? n.id,
          ...feelProp('assignee', b.assignee),
          ...feelProp('candidateGroups', b.candidateGroups),
          ...(b.form !== undefined ? { form: b.form } : {}),
          ...(b.due !== undefined
            ? {
                due: planTimer({ type: b.due.startsWith('P') ? 'duration' : 'date', value: b.due }),
              }
            : {}),
          ...feelProp('output', b.output),
        },
      };
    }
    case 'agentTask': {
      const b = required(n, n.data.binding);
      return {
        ...activity(),
        type: n.type,
        agent: {
          agent: b.agent,
          version: b.version,
          ...(b.instructions !== undefined ? { instructions: b.instructions } : {}),
          riskTier: b.riskTier,
          ...feelProp('input', b.input),
          ...feelProp('output', b.output),
        },
      };
    }
    case 'scriptTask':
      return {
        ...activity(),
        type: n.type,
        script: { feel: n.data.script },
        ...(n.data.resultVariable !== undefined ? { resultVariable: n.data.resultVariable } : {}),
      };
    case 'callActivity': {
      const b = required(n, n.data.binding);
      return {
        ...activity(),
        type: n.type,
        call: {
          definition: b.definition,
          version: b.version,
          ...feelProp('input', b.input),
          ...feelProp('output', b.output),
        },
      };
    }
    case 'businessRuleTask': {
      const b = required(n, n.data.binding);
      return {
        ...activity(),
        type: n.type,
        decision: {
          decision: b.decision,
          version: b.version,
          ...(b.decisionId !== undefined ? { decisionId: b.decisionId } : {}),
          ...feelProp('input', b.input),
          resultVariable: b.resultVariable,
        },
      };
    }
    case 'subProcess': {
      if (n.data.triggeredByEvent !== true)
        return { ...activity(), type: n.type, childScope: n.id };
      const start = graph.nodesByScope.get(n.id)?.find((c) => c.type === 'startEvent');
      if (start?.type !== 'startEvent' || start.data.event === undefined)
        throw new Error(`event subprocess '${n.id}' has no triggered start event`);
      return {
        ...activity(),
        type: n.type,
        childScope: n.id,
        eventTrigger: {
          startEvent: start.id,
          interrupting: start.data.interrupting !== false,
          trigger: eventTrigger(start.data.event),
        },
      };
    }
    case 'exclusiveGateway':
    case 'eventBasedGateway':
      return { ...base, type: n.type };
    case 'parallelGateway':
    case 'inclusiveGateway':
      return { ...base, type: n.type, joinArity: base.incoming.length };
    case 'intermediateTimerEvent':
      return { ...base, type: n.type, timer: planTimer(n.data.timer) };
    case 'intermediateMessageEvent':
      return { ...base, type: n.type, message: planMessage(n.data.message) };
    case 'boundaryEvent':
      return {
        ...base,
        type: n.type,
        attachedTo: n.data.attachedTo,
        interrupting: n.data.interrupting,
        trigger: boundaryTrigger(n),
      };
    case 'textAnnotation':
    case 'unsupported':
      throw new Error(`${n.type} '${n.id}' cannot be compiled`);
  }
}

function multiInstanceOf(n: ProcessNode): { multiInstance?: PlanMultiInstance } {
  const mi = 'multiInstance' in n.data ? n.data.multiInstance : undefined;
  if (!mi) return {};
  const sequential = mi.sequential === true;
  return {
    multiInstance: {
      sequential,
      inputCollection: { feel: mi.inputCollection },
      ...(mi.inputElement !== undefined ? { inputElement: mi.inputElement } : {}),
      ...(mi.outputCollection !== undefined ? { outputCollection: mi.outputCollection } : {}),
      ...feelProp('outputElement', mi.outputElement),
      ...feelProp('completionCondition', mi.completionCondition),
      maxConcurrency: sequential ? 1 : (mi.maxConcurrency ?? DEFAULT_MULTI_INSTANCE_CONCURRENCY),
    },
  };
}

function transitions(n: ProcessNode, graph: ProcessGraph): PlanTransition[] {
  const out = outgoingOf(graph, n.id).map((e): PlanTransition => ({
    edge: e.id,
    target: e.target,
    ...(e.data.condition !== undefined ? { condition: { feel: e.data.condition } } : {}),
    ...(e.data.isDefault === true ? { isDefault: true as const } : {}),
  }));
  if (n.type === 'exclusiveGateway' || n.type === 'inclusiveGateway') {
    // Evaluation order is the definition's order; the default flow comes last.
    return [...out.filter((t) => !t.isDefault), ...out.filter((t) => t.isDefault)];
  }
  return out.sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0));
}

function boundaryEvents(hostId: string, graph: ProcessGraph): PlanBoundary[] {
  return (graph.boundaryByHost.get(hostId) ?? [])
    .map((b) => ({ id: b.id, interrupting: b.data.interrupting, trigger: boundaryTrigger(b) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function boundaryTrigger(b: NodeOfType<'boundaryEvent'>): PlanBoundary['trigger'] {
  return eventTrigger(b.data.event);
}

/** The trigger of a start or boundary event. */
function eventTrigger(ev: EventTrigger): PlanBoundary['trigger'] {
  if (ev.type === 'timer') return { type: 'timer', timer: planTimer(ev.timer) };
  if (ev.type === 'message') return { type: 'message', message: planMessage(ev.message) };
  if (ev.type === 'conditional') return { type: 'conditional', condition: { feel: ev.condition } };
  if (ev.type === 'signal') return { type: 'signal', signal: ev.signal };
  if (ev.type === 'escalation')
    return {
      type: 'escalation',
      ...(ev.escalationCode !== undefined ? { escalationCode: ev.escalationCode } : {}),
    };
  return { type: 'error', ...(ev.errorCode !== undefined ? { errorCode: ev.errorCode } : {}) };
}

function serviceCall(n: NodeOfType<'serviceTask'> | NodeOfType<'sendTask'>) {
  const b = required(n, n.data.binding);
  const retry = b.retry ?? DEFAULT_SERVICE_RETRY;
  return {
    service: b.service,
    method: b.method,
    rpc: `${b.service}/${b.method}`,
    ...feelProp('input', b.input),
    ...feelProp('output', b.output),
    retry: {
      maxAttempts: retry.maxAttempts,
      initialIntervalMs: fixedMs(retry.initialInterval),
      backoff: retry.backoff,
    },
    timeoutMs: fixedMs(b.timeout ?? DEFAULT_SERVICE_TIMEOUT),
    ...(b.compensation
      ? {
          compensation: {
            method: b.compensation.method,
            rpc: `${b.service}/${b.compensation.method}`,
            ...feelProp('input', b.compensation.input),
          },
        }
      : {}),
  };
}

function planTimer(timer: TimerDefinition): PlanTimer {
  const parsed = parseTimer(timer.type, timer.value);
  if (!parsed.ok) throw new Error(`timer '${timer.value}': ${parsed.message}`);
  const t = parsed.value;
  switch (t.type) {
    case 'duration': {
      const ms = durationToMilliseconds(t.duration);
      return {
        type: 'duration',
        source: timer.value,
        duration: t.duration,
        ...(ms !== undefined ? { ms } : {}),
      };
    }
    case 'date':
      return { type: 'date', source: timer.value, epochMs: t.epochMs };
    case 'cycle': {
      const ms = durationToMilliseconds(t.interval);
      return {
        type: 'cycle',
        source: timer.value,
        repetitions: t.repetitions,
        ...(t.startEpochMs !== undefined ? { startEpochMs: t.startEpochMs } : {}),
        interval: t.interval,
        ...(ms !== undefined ? { intervalMs: ms } : {}),
      };
    }
  }
}

function planMessage(m: MessageSubscription): PlanMessage {
  return {
    name: m.name,
    correlationKey: { feel: m.correlationKey },
    ...feelProp('output', m.output),
  };
}

function fixedMs(duration: string): number {
  const d = parseIsoDuration(duration);
  const ms = d.ok ? durationToMilliseconds(d.value) : undefined;
  if (ms === undefined) throw new Error(`'${duration}' is not a fixed ISO 8601 duration`);
  return ms;
}

function feelProp<K extends string>(
  key: K,
  source: string | undefined,
): { [P in K]?: FeelExpression } {
  return (source === undefined ? {} : { [key]: { feel: source } }) as { [P in K]?: FeelExpression };
}

function required<T>(n: ProcessNode, value: T | undefined): T {
  if (value === undefined) throw new Error(`'${n.id}' has no binding`);
  return value;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key]!;
  return sorted;
}
