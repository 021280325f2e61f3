import type { z } from 'zod';
import {
  ACTIVITY_TYPES,
  agentBindingSchema,
  callBindingSchema,
  decisionBindingSchema,
  multiInstanceSchema,
  serviceBindingSchema,
  userTaskBindingSchema,
  type MessageSubscription,
  type MultiInstance,
  type ProcessNode,
  type TimerDefinition,
} from '../model/process-definition.js';
import { formatPath } from '../model/parse-process-definition.js';
import {
  foreignAttribute,
  foreignExtensions,
  stripFeelMarker,
  zeebeListToFeel,
  zeebeValueToFeel,
} from './foreign-extensions.js';
import { body, child, children, extensionOf, str, type ModdleElement } from './moddle.js';

/** What node mapping needs from the importer. */
export interface NodeImportContext {
  readonly engineDialect: boolean;
  /** Records a diagnostic about the element with `id`. */
  report(
    code: ImportCode,
    severity: 'error' | 'warning' | 'info',
    id: string,
    bpmnType: string,
    message: string,
  ): void;
}

/** Importer diagnostic codes. */
export const IMPORT_CODES = {
  /** The input is not BPMN 2.0 XML. */
  notBpmn: 'AM100',
  /** The document has no process. */
  noProcess: 'AM101',
  /** An element Ameide does not execute, kept as an `unsupported` node. */
  unsupportedElement: 'AM102',
  /** Another engine's extension (zeebe:, camunda:, ...): mapped (info) or needing mapping (warning). */
  foreignExtension: 'AM103',
  /** A second process or another pool, not imported. */
  notImported: 'AM104',
  /** An element without (usable) BPMN DI layout. */
  missingLayout: 'AM105',
  /** A non-executable element that the model does not keep (association, group, message flow...). */
  ignoredElement: 'AM106',
  /** An `ameide:` binding that does not validate; the node is imported without it. */
  invalidBinding: 'AM107',
  /** A reference to an id that does not exist. */
  unresolvedReference: 'AM108',
  /** The imported definition does not match the schema (e.g. an id Ameide cannot use). */
  invalidDefinition: 'AM109',
} as const;

export type ImportCode = (typeof IMPORT_CODES)[keyof typeof IMPORT_CODES];

type NodeData = Record<string, unknown>;
/** A node without layout: the importer adds position, size and parentId. */
export type NodeCore = { id: string; type: ProcessNode['type']; data: NodeData };

const EVENT_DEFINITION_LIST = 'eventDefinitions';

/** Maps one BPMN flow node (or data reference) to a node of the model. */
export function importFlowNode(el: ModdleElement, ctx: NodeImportContext): NodeCore {
  const id = String(el.id);
  const common: NodeData = {};
  const name = str(el, 'name');
  if (name !== undefined) common.name = name;
  const doc = children(el, 'documentation')
    .map((d) => str(d, 'text'))
    .find((t) => t !== undefined);
  if (doc !== undefined) common.documentation = doc;

  const feel = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : stripFeelMarker(value, ctx.engineDialect);
  const unsupported = (extra: NodeData = {}): NodeCore => {
    const defs = children(el, EVENT_DEFINITION_LIST).map((d) => d.$type);
    const data: NodeData = { ...common, bpmnType: el.$type, ...extra };
    if (defs.length > 0) data.eventDefinitions = defs;
    const attached = child(el, 'attachedToRef');
    if (attached && typeof attached.id === 'string') data.attachedTo = attached.id;
    if (el.$type === 'bpmn:BoundaryEvent') data.interrupting = el.cancelActivity !== false;
    const described = [el.$type, ...defs].join(' with ');
    ctx.report(
      IMPORT_CODES.unsupportedElement,
      'warning',
      id,
      el.$type,
      `${described} '${id}' is not executed by Ameide; kept as an unsupported node (lint reports it)`,
    );
    return { id, type: 'unsupported', data };
  };
  reportForeign(el, id, ctx);

  // Features that make any activity unsupported.
  const loop = child(el, 'loopCharacteristics');
  let multiInstance: MultiInstance | undefined;
  if (loop) {
    const kind =
      loop.$type === 'bpmn:MultiInstanceLoopCharacteristics' ? 'multiInstance' : 'standard';
    multiInstance = kind === 'multiInstance' ? multiInstanceOf(loop, id, el.$type, ctx) : undefined;
    if (!multiInstance) return unsupported({ loop: kind });
  }
  if (el.isForCompensation === true) return unsupported({ isForCompensation: true });
  if (!multiInstance) return importElement(el, id, common, ctx, feel, unsupported);
  const core = importElement(el, id, common, ctx, feel, unsupported);
  if (core.type === 'unsupported') return core;
  if (!ACTIVITY_TYPES.has(core.type)) return unsupported({ loop: 'multiInstance' });
  return { ...core, data: { ...core.data, multiInstance } };
}

function importElement(
  el: ModdleElement,
  id: string,
  common: NodeData,
  ctx: NodeImportContext,
  feel: (value: string | undefined) => string | undefined,
  unsupported: (extra?: NodeData) => NodeCore,
): NodeCore {
  const defs = children(el, EVENT_DEFINITION_LIST);
  const single = defs.length === 1 ? defs[0] : undefined;
  const defType = defs.length === 0 ? 'none' : single ? single.$type : 'multiple';

  /** The `event` of a start, boundary or catch event: its one supported trigger, else none. */
  const trigger = (): EventData | undefined =>
    single ? triggerOf(el, single, ctx, feel) : undefined;
  /** The `event` of an end or throw event, when it is one of `kinds` and names what it throws. */
  const thrown = (kinds: readonly EventData['type'][]): EventData | undefined => {
    if (!single) return undefined;
    const event =
      defType === 'bpmn:LinkEventDefinition' ? linkOf(single) : triggerOf(el, single, ctx, feel);
    if (!event || !kinds.includes(event.type)) return undefined;
    return event.type === 'escalation' && event.escalationCode === undefined ? undefined : event;
  };

  switch (el.$type) {
    case 'bpmn:StartEvent': {
      // The start event of an event subprocess says whether its trigger interrupts.
      const parent = el.$parent;
      const start: NodeData =
        parent?.$type === 'bpmn:SubProcess' && parent.triggeredByEvent === true
          ? { ...common, interrupting: el.isInterrupting !== false }
          : common;
      if (defType === 'none') return { id, type: 'startEvent', data: start };
      // Every trigger imports; lint says which ones start what (AM004, AM032).
      const event = trigger();
      if (event) return { id, type: 'startEvent', data: { ...start, event } };
      return unsupported();
    }
    case 'bpmn:EndEvent': {
      if (defType === 'none') return { id, type: 'endEvent', data: common };
      if (defType === 'bpmn:TerminateEventDefinition') {
        return { id, type: 'endEvent', data: { ...common, event: { type: 'terminate' } } };
      }
      if (defType === 'bpmn:CompensateEventDefinition') {
        return { id, type: 'endEvent', data: { ...common, event: { type: 'compensate' } } };
      }
      const event = thrown(['error', 'escalation', 'signal']);
      if (event) return { id, type: 'endEvent', data: { ...common, event } };
      return unsupported();
    }
    case 'bpmn:IntermediateThrowEvent': {
      const event = thrown(['escalation', 'signal', 'link']);
      if (event) return { id, type: 'intermediateThrowEvent', data: { ...common, event } };
      return unsupported();
    }
    case 'bpmn:IntermediateCatchEvent': {
      const event = defType === 'bpmn:LinkEventDefinition' ? linkOf(single) : trigger();
      switch (event?.type) {
        case 'timer':
          return { id, type: 'intermediateTimerEvent', data: { ...common, timer: event.timer } };
        case 'message':
          return {
            id,
            type: 'intermediateMessageEvent',
            data: { ...common, message: event.message },
          };
        case 'conditional':
          return {
            id,
            type: 'intermediateConditionalEvent',
            data: { ...common, condition: event.condition },
          };
        case 'signal':
          return { id, type: 'intermediateSignalEvent', data: { ...common, signal: event.signal } };
        case 'link':
          return { id, type: 'intermediateLinkEvent', data: { ...common, link: event.link } };
        default:
          return unsupported();
      }
    }
    case 'bpmn:BoundaryEvent': {
      const host = child(el, 'attachedToRef');
      const attachedTo = typeof host?.id === 'string' ? host.id : '';
      const interrupting = el.cancelActivity !== false;
      const event = trigger();
      if (event)
        return { id, type: 'boundaryEvent', data: { ...common, attachedTo, interrupting, event } };
      return unsupported();
    }
    case 'bpmn:ServiceTask':
    case 'bpmn:SendTask': {
      const agent = el.$type === 'bpmn:ServiceTask' && extensionOf(el, 'ameide:AgentBinding');
      if (agent) {
        const binding = validated(agentBindingSchema, agentBindingOf(agent), id, el.$type, ctx);
        return { id, type: 'agentTask', data: { ...common, ...(binding ? { binding } : {}) } };
      }
      const service = extensionOf(el, 'ameide:ServiceBinding');
      const binding = service
        ? validated(serviceBindingSchema, serviceBindingOf(service), id, el.$type, ctx)
        : undefined;
      const type = el.$type === 'bpmn:SendTask' ? 'sendTask' : 'serviceTask';
      return { id, type, data: { ...common, ...(binding ? { binding } : {}) } };
    }
    case 'bpmn:ReceiveTask': {
      const message = messageOf(el, el, ctx, feel);
      return { id, type: 'receiveTask', data: { ...common, ...(message ? { message } : {}) } };
    }
    case 'bpmn:UserTask': {
      const ameide = extensionOf(el, 'ameide:UserTaskBinding');
      let raw = ameide ? userTaskBindingOf(ameide, id, el.$type, ctx) : undefined;
      if (!ameide) raw = zeebeAssignment(el);
      const binding = raw ? validated(userTaskBindingSchema, raw, id, el.$type, ctx) : undefined;
      return { id, type: 'userTask', data: { ...common, ...(binding ? { binding } : {}) } };
    }
    case 'bpmn:ScriptTask': {
      const format = str(el, 'scriptFormat');
      const zeebeScript = foreignAttribute(el, 'zeebe:script', 'expression');
      if (format !== undefined && format.toLowerCase() !== 'feel')
        return unsupported({ scriptFormat: format });
      const script = str(el, 'script') ?? feel(zeebeScript) ?? '';
      const resultVariable =
        str(el, 'resultVariable') ?? foreignAttribute(el, 'zeebe:script', 'resultVariable');
      return {
        id,
        type: 'scriptTask',
        data: { ...common, script, ...(resultVariable !== undefined ? { resultVariable } : {}) },
      };
    }
    case 'bpmn:CallActivity': {
      const ameide = extensionOf(el, 'ameide:CallBinding');
      const definition =
        str(el, 'calledElement') ?? foreignAttribute(el, 'zeebe:calledElement', 'processId');
      if (definition === undefined) return { id, type: 'callActivity', data: common };
      const raw: NodeData = {
        definition: stripFeelMarker(definition, ctx.engineDialect),
        version: versionOf(str(ameide, 'version')),
      };
      setExpr(raw, 'input', child(ameide, 'input'));
      setExpr(raw, 'output', child(ameide, 'output'));
      const binding = validated(callBindingSchema, raw, id, el.$type, ctx);
      return { id, type: 'callActivity', data: { ...common, ...(binding ? { binding } : {}) } };
    }
    case 'bpmn:BusinessRuleTask': {
      const raw = decisionBindingOf(el, ctx);
      if (!raw) return { id, type: 'businessRuleTask', data: common };
      const binding = validated(decisionBindingSchema, raw, id, el.$type, ctx);
      return { id, type: 'businessRuleTask', data: { ...common, ...(binding ? { binding } : {}) } };
    }
    case 'bpmn:ExclusiveGateway':
      return { id, type: 'exclusiveGateway', data: common };
    case 'bpmn:ParallelGateway':
      return { id, type: 'parallelGateway', data: common };
    case 'bpmn:InclusiveGateway':
      return { id, type: 'inclusiveGateway', data: common };
    case 'bpmn:EventBasedGateway':
      if (el.instantiate === true) return unsupported({ instantiate: true });
      return { id, type: 'eventBasedGateway', data: common };
    case 'bpmn:SubProcess':
      if (el.triggeredByEvent === true)
        return { id, type: 'subProcess', data: { ...common, triggeredByEvent: true } };
      return { id, type: 'subProcess', data: common };
    default:
      return unsupported();
  }
}

/**
 * A multi-instance loop: `ameide:multiInstance`, else Camunda 8's `zeebe:loopCharacteristics`;
 * `isSequential` and `completionCondition` are BPMN's own. `undefined` (the activity is then
 * kept as unsupported) when there is no input collection or the fields do not validate.
 */
function multiInstanceOf(
  loop: ModdleElement,
  id: string,
  bpmnType: string,
  ctx: NodeImportContext,
): MultiInstance | undefined {
  const feel = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : stripFeelMarker(value, ctx.engineDialect);
  const ameide = extensionOf(loop, 'ameide:MultiInstance');
  const raw: NodeData = {};
  if (ameide) {
    setExpr(raw, 'inputCollection', child(ameide, 'inputCollection'));
    setExpr(raw, 'outputElement', child(ameide, 'outputElement'));
    for (const key of ['inputElement', 'outputCollection'] as const) {
      const value = str(ameide, key);
      if (value !== undefined) raw[key] = value;
    }
    if (ameide.maxConcurrency !== undefined) raw.maxConcurrency = ameide.maxConcurrency;
  } else {
    const zeebe = (attr: string) => foreignAttribute(loop, 'zeebe:loopCharacteristics', attr);
    const input = zeebe('inputCollection');
    if (input === undefined) return undefined;
    raw.inputCollection = feel(input);
    const element = zeebe('inputElement');
    const collection = zeebe('outputCollection');
    const output = zeebe('outputElement');
    if (element !== undefined) raw.inputElement = element;
    if (collection !== undefined) raw.outputCollection = collection;
    if (output !== undefined) raw.outputElement = feel(output);
    ctx.report(
      IMPORT_CODES.foreignExtension,
      'info',
      id,
      bpmnType,
      'zeebe:loopCharacteristics mapped to the multi-instance loop',
    );
  }
  if (raw.inputCollection === undefined) return undefined;
  if (loop.isSequential === true) raw.sequential = true;
  const condition = feel(body(child(loop, 'completionCondition'))?.trim());
  if (condition !== undefined && condition !== '') raw.completionCondition = condition;
  return validated(multiInstanceSchema, raw, id, bpmnType, ctx);
}

function reportForeign(el: ModdleElement, id: string, ctx: NodeImportContext): void {
  for (const ext of foreignExtensions(el)) {
    const mapped = MAPPED_EXTENSIONS[ext.name];
    if (mapped) {
      ctx.report(
        IMPORT_CODES.foreignExtension,
        'info',
        id,
        el.$type,
        `${ext.name} mapped to ${mapped}`,
      );
    } else {
      ctx.report(
        IMPORT_CODES.foreignExtension,
        'warning',
        id,
        el.$type,
        `${ext.kind} ${ext.name} ${ext.detail} needs mapping to an Ameide binding`
          .replace(/\s+/g, ' ')
          .trim(),
      );
    }
  }
}

/** Foreign extensions the importer translates. */
const MAPPED_EXTENSIONS: Readonly<Record<string, string>> = {
  'zeebe:subscription': 'the message correlation key',
  'zeebe:assignmentDefinition': 'the user task assignee / candidate groups',
  'zeebe:calledElement': 'the call activity binding',
  'zeebe:script': 'the FEEL script',
  'zeebe:calledDecision': 'the decision binding',
};

function timerOf(def: ModdleElement): TimerDefinition {
  // Timer values are ISO 8601 literals: surrounding whitespace from pretty-printing is noise.
  const duration = body(child(def, 'timeDuration'))?.trim();
  if (duration !== undefined) return { type: 'duration', value: duration };
  const date = body(child(def, 'timeDate'))?.trim();
  if (date !== undefined) return { type: 'date', value: date };
  const cycle = body(child(def, 'timeCycle'))?.trim();
  if (cycle !== undefined) return { type: 'cycle', value: cycle };
  return { type: 'duration', value: '' };
}

function errorCodeOf(def: ModdleElement): { errorCode?: string } {
  const code = str(child(def, 'errorRef'), 'errorCode');
  return code !== undefined && code !== '' ? { errorCode: code } : {};
}

/** An event's trigger or result as the model keeps it (`data.event`). */
type EventData =
  | { type: 'timer'; timer: TimerDefinition }
  | { type: 'message'; message: MessageSubscription }
  | { type: 'error'; errorCode?: string }
  | { type: 'escalation'; escalationCode?: string }
  | { type: 'conditional'; condition: string }
  | { type: 'signal'; signal: string }
  | { type: 'link'; link: string };

/** Maps one event definition to the model's event; `undefined` when it lacks what it needs. */
function triggerOf(
  el: ModdleElement,
  def: ModdleElement,
  ctx: NodeImportContext,
  feel: (value: string | undefined) => string | undefined,
): EventData | undefined {
  switch (def.$type) {
    case 'bpmn:TimerEventDefinition':
      return { type: 'timer', timer: timerOf(def) };
    case 'bpmn:MessageEventDefinition': {
      const message = messageOf(el, def, ctx, feel);
      return message ? { type: 'message', message } : undefined;
    }
    case 'bpmn:ErrorEventDefinition':
      return { type: 'error', ...errorCodeOf(def) };
    case 'bpmn:EscalationEventDefinition':
      return { type: 'escalation', ...escalationCodeOf(def) };
    case 'bpmn:ConditionalEventDefinition': {
      const condition = feel(body(child(def, 'condition')));
      return condition === undefined ? undefined : { type: 'conditional', condition };
    }
    case 'bpmn:SignalEventDefinition': {
      const signal = signalOf(def);
      return signal === undefined ? undefined : { type: 'signal', signal };
    }
    default:
      return undefined;
  }
}

function linkOf(def: ModdleElement | undefined): EventData | undefined {
  const link = str(def, 'name');
  return link === undefined || link === '' ? undefined : { type: 'link', link };
}

/** The name of a signal event definition's signal (what broadcasts match on). */
function signalOf(def: ModdleElement | undefined): string | undefined {
  const name = str(child(def, 'signalRef'), 'name');
  return name === undefined || name === '' ? undefined : name;
}

function escalationCodeOf(def: ModdleElement): { escalationCode?: string } {
  const code = str(child(def, 'escalationRef'), 'escalationCode');
  return code === undefined || code === '' ? {} : { escalationCode: code };
}

function messageOf(
  el: ModdleElement,
  def: ModdleElement,
  ctx: NodeImportContext,
  feel: (v: string | undefined) => string | undefined,
): MessageSubscription | undefined {
  const name = str(child(def, 'messageRef'), 'name');
  if (name === undefined || name === '') return undefined;
  const ameide = extensionOf(el, 'ameide:MessageBinding');
  const zeebeMessage = extensionOf(child(def, 'messageRef')!, 'zeebe:subscription');
  const correlationKey =
    body(child(ameide, 'correlationKey')) ?? feel(str(zeebeMessage, 'correlationKey')) ?? '';
  const output = body(child(ameide, 'output'));
  if (zeebeMessage) {
    ctx.report(
      IMPORT_CODES.foreignExtension,
      'info',
      String(el.id),
      el.$type,
      `zeebe:subscription of message '${name}' mapped to the correlation key`,
    );
  }
  return { name, correlationKey, ...(output !== undefined ? { output } : {}) };
}

function setExpr(target: NodeData, key: string, element: ModdleElement | undefined): void {
  const value = body(element);
  if (value !== undefined) target[key] = value;
}

/** `latest`, a version number, or the raw text (which the binding schema then refuses). */
function versionOf(value: string | undefined): number | string {
  if (value === undefined || value === 'latest') return 'latest';
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * A business rule task's binding: `ameide:decisionBinding`, else Camunda 8's
 * `zeebe:calledDecision` (its decision id names the decision definition and the decision).
 */
function decisionBindingOf(el: ModdleElement, ctx: NodeImportContext): NodeData | undefined {
  const ameide = extensionOf(el, 'ameide:DecisionBinding');
  if (ameide) {
    const raw: NodeData = {
      decision: str(ameide, 'decision') ?? '',
      version: versionOf(str(ameide, 'version')),
      resultVariable: str(ameide, 'resultVariable') ?? '',
    };
    const decisionId = str(ameide, 'decisionId');
    if (decisionId !== undefined) raw.decisionId = decisionId;
    setExpr(raw, 'input', child(ameide, 'input'));
    return raw;
  }
  const decisionId = foreignAttribute(el, 'zeebe:calledDecision', 'decisionId');
  if (decisionId === undefined) return undefined;
  const id = stripFeelMarker(decisionId, ctx.engineDialect);
  return {
    decision: id,
    version: 'latest',
    decisionId: id,
    resultVariable: foreignAttribute(el, 'zeebe:calledDecision', 'resultVariable') ?? '',
  };
}

function serviceBindingOf(ext: ModdleElement): NodeData {
  const raw: NodeData = { service: str(ext, 'service') ?? '', method: str(ext, 'method') ?? '' };
  setExpr(raw, 'input', child(ext, 'input'));
  setExpr(raw, 'output', child(ext, 'output'));
  const retry = child(ext, 'retry');
  if (retry)
    raw.retry = {
      maxAttempts: retry.maxAttempts,
      initialInterval: retry.initialInterval,
      backoff: retry.backoff,
    };
  const timeout = str(ext, 'timeout');
  if (timeout !== undefined) raw.timeout = timeout;
  const comp = child(ext, 'compensation');
  if (comp) {
    const compensation: NodeData = { method: str(comp, 'method') ?? '' };
    setExpr(compensation, 'input', child(comp, 'input'));
    raw.compensation = compensation;
  }
  return raw;
}

function agentBindingOf(ext: ModdleElement): NodeData {
  const raw: NodeData = {
    agent: str(ext, 'agent') ?? '',
    version: versionOf(str(ext, 'version')),
    riskTier: str(ext, 'riskTier'),
  };
  const instructions = body(child(ext, 'instructions'));
  if (instructions !== undefined) raw.instructions = instructions;
  setExpr(raw, 'input', child(ext, 'input'));
  setExpr(raw, 'output', child(ext, 'output'));
  return raw;
}

function userTaskBindingOf(
  ext: ModdleElement,
  id: string,
  bpmnType: string,
  ctx: NodeImportContext,
): NodeData {
  const raw: NodeData = {};
  for (const key of ['title', 'due'] as const) {
    const value = str(ext, key);
    if (value !== undefined) raw[key] = value;
  }
  setExpr(raw, 'assignee', child(ext, 'assignee'));
  setExpr(raw, 'candidateGroups', child(ext, 'candidateGroups'));
  setExpr(raw, 'output', child(ext, 'output'));
  const form = body(child(ext, 'form'));
  if (form !== undefined) {
    try {
      raw.form = JSON.parse(form) as unknown;
    } catch (err) {
      ctx.report(
        IMPORT_CODES.invalidBinding,
        'error',
        id,
        bpmnType,
        `ameide:form is not JSON (${(err as Error).message}); form not imported`,
      );
    }
  }
  return raw;
}

function zeebeAssignment(el: ModdleElement): NodeData | undefined {
  const assignment = extensionOf(el, 'zeebe:assignmentDefinition');
  if (!assignment) return undefined;
  const raw: NodeData = {};
  const assignee = str(assignment, 'assignee');
  const groups = str(assignment, 'candidateGroups');
  if (assignee !== undefined) raw.assignee = zeebeValueToFeel(assignee);
  if (groups !== undefined) raw.candidateGroups = zeebeListToFeel(groups);
  return raw;
}

function validated<S extends z.ZodType>(
  schema: S,
  raw: NodeData,
  id: string,
  bpmnType: string,
  ctx: NodeImportContext,
): z.infer<S> | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = formatPath(issue.path);
    ctx.report(
      IMPORT_CODES.invalidBinding,
      'error',
      id,
      bpmnType,
      `Ameide binding${at ? ` field ${at}` : ''}: ${issue.message}; binding not imported`,
    );
  }
  return undefined;
}
