import type { BpmnModdle } from 'bpmn-moddle';
import type {
  MessageSubscription,
  MultiInstance,
  ProcessNode,
  TimerDefinition,
} from '../model/process-definition.js';
import type { ModdleElement } from './moddle.js';

/** Shared root elements (bpmn:message, bpmn:error) by name / code. */
export interface RootRefs {
  message(name: string): ModdleElement;
  error(code: string): ModdleElement;
  escalation(code: string): ModdleElement;
  signal(name: string): ModdleElement;
}

const BPMN_TYPE: Readonly<Record<Exclude<ProcessNode['type'], 'unsupported'>, string>> = {
  startEvent: 'bpmn:StartEvent',
  endEvent: 'bpmn:EndEvent',
  serviceTask: 'bpmn:ServiceTask',
  sendTask: 'bpmn:SendTask',
  receiveTask: 'bpmn:ReceiveTask',
  userTask: 'bpmn:UserTask',
  agentTask: 'bpmn:ServiceTask',
  scriptTask: 'bpmn:ScriptTask',
  exclusiveGateway: 'bpmn:ExclusiveGateway',
  parallelGateway: 'bpmn:ParallelGateway',
  inclusiveGateway: 'bpmn:InclusiveGateway',
  eventBasedGateway: 'bpmn:EventBasedGateway',
  intermediateTimerEvent: 'bpmn:IntermediateCatchEvent',
  intermediateMessageEvent: 'bpmn:IntermediateCatchEvent',
  intermediateConditionalEvent: 'bpmn:IntermediateCatchEvent',
  intermediateThrowEvent: 'bpmn:IntermediateThrowEvent',
  intermediateLinkEvent: 'bpmn:IntermediateCatchEvent',
  intermediateSignalEvent: 'bpmn:IntermediateCatchEvent',
  boundaryEvent: 'bpmn:BoundaryEvent',
  subProcess: 'bpmn:SubProcess',
  callActivity: 'bpmn:CallActivity',
  businessRuleTask: 'bpmn:BusinessRuleTask',
  textAnnotation: 'bpmn:TextAnnotation',
};

/** Creates the BPMN element of one node (references to other nodes are set by the caller). */
export function exportNode(moddle: BpmnModdle, n: ProcessNode, refs: RootRefs): ModdleElement {
  if (n.type === 'unsupported') return exportUnsupported(moddle, n);
  const el = moddle.create(BPMN_TYPE[n.type], { id: n.id });
  if (n.type === 'textAnnotation') {
    el.text = n.data.text;
    return el;
  }
  if (n.data.name !== undefined) el.name = n.data.name;
  if (n.data.documentation !== undefined) {
    el.documentation = [moddle.create('bpmn:Documentation', { text: n.data.documentation })];
  }
  const expr = (value: string | undefined): ModdleElement | undefined =>
    value === undefined ? undefined : moddle.create('ameide:Expression', { body: value });
  const ext = (type: string, props: Record<string, unknown>): void => {
    const clean = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
    el.extensionElements = moddle.create('bpmn:ExtensionElements', {
      values: [moddle.create(type, clean)],
    });
  };
  const timer = (t: TimerDefinition): ModdleElement => {
    const property =
      t.type === 'duration' ? 'timeDuration' : t.type === 'date' ? 'timeDate' : 'timeCycle';
    return moddle.create('bpmn:TimerEventDefinition', {
      [property]: moddle.create('bpmn:FormalExpression', { body: t.value }),
    });
  };
  const message = (m: MessageSubscription): ModdleElement => {
    ext('ameide:MessageBinding', {
      correlationKey: expr(m.correlationKey),
      output: expr(m.output),
    });
    return moddle.create('bpmn:MessageEventDefinition', { messageRef: refs.message(m.name) });
  };
  const error = (code: string | undefined): ModdleElement =>
    moddle.create(
      'bpmn:ErrorEventDefinition',
      code === undefined ? {} : { errorRef: refs.error(code) },
    );

  const escalation = (code: string | undefined): ModdleElement =>
    moddle.create(
      'bpmn:EscalationEventDefinition',
      code === undefined ? {} : { escalationRef: refs.escalation(code) },
    );
  /** The definition of a start, boundary or end event's trigger/result of kind error, escalation or signal. */
  const signal = (name: string): ModdleElement =>
    moddle.create('bpmn:SignalEventDefinition', { signalRef: refs.signal(name) });
  const thrown = (
    ev:
      | { type: 'error'; errorCode?: string | undefined }
      | { type: 'escalation'; escalationCode?: string | undefined }
      | { type: 'signal'; signal: string },
  ): ModdleElement =>
    ev.type === 'error'
      ? error(ev.errorCode)
      : ev.type === 'signal'
        ? signal(ev.signal)
        : escalation(ev.escalationCode);

  const conditional = (condition: string): ModdleElement =>
    moddle.create('bpmn:ConditionalEventDefinition', {
      condition: moddle.create('bpmn:FormalExpression', { body: condition }),
    });

  switch (n.type) {
    case 'startEvent': {
      const ev = n.data.event;
      if (ev?.type === 'timer') el.eventDefinitions = [timer(ev.timer)];
      if (ev?.type === 'message') el.eventDefinitions = [message(ev.message)];
      if (ev?.type === 'error' || ev?.type === 'escalation' || ev?.type === 'signal')
        el.eventDefinitions = [thrown(ev)];
      if (ev?.type === 'conditional') el.eventDefinitions = [conditional(ev.condition)];
      if (n.data.interrupting === false) el.isInterrupting = false;
      break;
    }
    case 'endEvent': {
      const ev = n.data.event;
      if (ev?.type === 'error' || ev?.type === 'escalation' || ev?.type === 'signal')
        el.eventDefinitions = [thrown(ev)];
      if (ev?.type === 'terminate')
        el.eventDefinitions = [moddle.create('bpmn:TerminateEventDefinition')];
      if (ev?.type === 'compensate')
        el.eventDefinitions = [moddle.create('bpmn:CompensateEventDefinition')];
      break;
    }
    case 'intermediateTimerEvent':
      el.eventDefinitions = [timer(n.data.timer)];
      break;
    case 'intermediateMessageEvent':
      el.eventDefinitions = [message(n.data.message)];
      break;
    case 'boundaryEvent': {
      el.cancelActivity = n.data.interrupting;
      const ev = n.data.event;
      el.eventDefinitions = [
        ev.type === 'timer'
          ? timer(ev.timer)
          : ev.type === 'message'
            ? message(ev.message)
            : ev.type === 'conditional'
              ? conditional(ev.condition)
              : thrown(ev),
      ];
      break;
    }
    case 'intermediateConditionalEvent':
      el.eventDefinitions = [conditional(n.data.condition)];
      break;
    case 'intermediateThrowEvent': {
      const ev = n.data.event;
      el.eventDefinitions = [
        ev.type === 'link'
          ? moddle.create('bpmn:LinkEventDefinition', { name: ev.link })
          : thrown(ev),
      ];
      break;
    }
    case 'intermediateLinkEvent':
      el.eventDefinitions = [moddle.create('bpmn:LinkEventDefinition', { name: n.data.link })];
      break;
    case 'intermediateSignalEvent':
      el.eventDefinitions = [signal(n.data.signal)];
      break;
    case 'receiveTask': {
      const m = n.data.message;
      if (!m) break;
      ext('ameide:MessageBinding', {
        correlationKey: expr(m.correlationKey),
        output: expr(m.output),
      });
      el.messageRef = refs.message(m.name);
      break;
    }
    case 'serviceTask':
    case 'sendTask': {
      const b = n.data.binding;
      if (!b) break;
      ext('ameide:ServiceBinding', {
        service: b.service,
        method: b.method,
        timeout: b.timeout,
        input: expr(b.input),
        output: expr(b.output),
        retry: b.retry && moddle.create('ameide:Retry', { ...b.retry }),
        compensation:
          b.compensation &&
          moddle.create('ameide:Compensation', {
            method: b.compensation.method,
            ...(b.compensation.input !== undefined ? { input: expr(b.compensation.input) } : {}),
          }),
      });
      break;
    }
    case 'agentTask': {
      const b = n.data.binding;
      if (!b) {
        // An empty agent binding still marks the service task as an agent task.
        ext('ameide:AgentBinding', {});
        break;
      }
      ext('ameide:AgentBinding', {
        agent: b.agent,
        version: String(b.version),
        riskTier: b.riskTier,
        instructions: expr(b.instructions),
        input: expr(b.input),
        output: expr(b.output),
      });
      break;
    }
    case 'userTask': {
      const b = n.data.binding;
      if (!b) break;
      ext('ameide:UserTaskBinding', {
        title: b.title,
        due: b.due,
        assignee: expr(b.assignee),
        candidateGroups: expr(b.candidateGroups),
        form: b.form === undefined ? undefined : expr(JSON.stringify(b.form, null, 2)),
        output: expr(b.output),
      });
      break;
    }
    case 'scriptTask':
      el.scriptFormat = 'feel';
      el.script = n.data.script;
      if (n.data.resultVariable !== undefined) el.resultVariable = n.data.resultVariable;
      break;
    case 'callActivity': {
      const b = n.data.binding;
      if (!b) break;
      el.calledElement = b.definition;
      ext('ameide:CallBinding', {
        version: String(b.version),
        input: expr(b.input),
        output: expr(b.output),
      });
      break;
    }
    case 'businessRuleTask': {
      const b = n.data.binding;
      if (!b) break;
      ext('ameide:DecisionBinding', {
        decision: b.decision,
        version: String(b.version),
        decisionId: b.decisionId,
        resultVariable: b.resultVariable,
        input: expr(b.input),
      });
      break;
    }
    case 'subProcess':
      if (n.data.triggeredByEvent === true) el.triggeredByEvent = true;
      break;
    default:
      break;
  }
  if ('multiInstance' in n.data && n.data.multiInstance)
    el.loopCharacteristics = exportMultiInstance(moddle, n.data.multiInstance);
  return el;
}

function exportMultiInstance(moddle: BpmnModdle, mi: MultiInstance): ModdleElement {
  const expr = (value: string | undefined): ModdleElement | undefined =>
    value === undefined ? undefined : moddle.create('ameide:Expression', { body: value });
  const props = Object.fromEntries(
    Object.entries({
      inputCollection: expr(mi.inputCollection),
      inputElement: mi.inputElement,
      outputCollection: mi.outputCollection,
      outputElement: expr(mi.outputElement),
      maxConcurrency: mi.maxConcurrency,
    }).filter(([, v]) => v !== undefined),
  );
  return moddle.create('bpmn:MultiInstanceLoopCharacteristics', {
    ...(mi.sequential === true ? { isSequential: true } : {}),
    ...(mi.completionCondition !== undefined
      ? {
          completionCondition: moddle.create('bpmn:FormalExpression', {
            body: mi.completionCondition,
          }),
        }
      : {}),
    extensionElements: moddle.create('bpmn:ExtensionElements', {
      values: [moddle.create('ameide:MultiInstance', props)],
    }),
  });
}

function exportUnsupported(
  moddle: BpmnModdle,
  n: Extract<ProcessNode, { type: 'unsupported' }>,
): ModdleElement {
  const d = n.data;
  let el: ModdleElement;
  try {
    el = moddle.create(d.bpmnType, { id: n.id });
  } catch {
    el = moddle.create('bpmn:Task', { id: n.id });
  }
  if (!isFlowNodeLike(el)) el = moddle.create('bpmn:Task', { id: n.id });
  if (d.name !== undefined) el.name = d.name;
  if (d.documentation !== undefined)
    el.documentation = [moddle.create('bpmn:Documentation', { text: d.documentation })];
  const defs: ModdleElement[] = [];
  for (const type of d.eventDefinitions ?? []) {
    try {
      defs.push(moddle.create(type));
    } catch {
      // An unknown event definition type cannot be written; the lint already reports the node.
    }
  }
  if (defs.length > 0 && instanceOf(el, 'bpmn:Event')) el.eventDefinitions = defs;
  if (el.$type === 'bpmn:BoundaryEvent' && d.interrupting !== undefined)
    el.cancelActivity = d.interrupting;
  if (d.loop !== undefined && instanceOf(el, 'bpmn:Activity')) {
    el.loopCharacteristics = moddle.create(
      d.loop === 'multiInstance'
        ? 'bpmn:MultiInstanceLoopCharacteristics'
        : 'bpmn:StandardLoopCharacteristics',
    );
  }
  if (d.triggeredByEvent === true && el.$type === 'bpmn:SubProcess') el.triggeredByEvent = true;
  if (d.isForCompensation === true && instanceOf(el, 'bpmn:Activity')) el.isForCompensation = true;
  if (d.scriptFormat !== undefined && el.$type === 'bpmn:ScriptTask')
    el.scriptFormat = d.scriptFormat;
  if (d.instantiate === true && el.$type === 'bpmn:EventBasedGateway') el.instantiate = true;
  return el;
}

function instanceOf(el: ModdleElement, type: string): boolean {
  const check = el.$instanceOf;
  return typeof check === 'function' && (check as (t: string) => boolean).call(el, type);
}

function isFlowNodeLike(el: ModdleElement): boolean {
  return (
    instanceOf(el, 'bpmn:FlowNode') ||
    el.$type === 'bpmn:DataObjectReference' ||
    el.$type === 'bpmn:DataStoreReference'
  );
}
