import type { ProcessNode, ProcessNodeType } from '@ameide/process-definition';

/** How a node kind is drawn: BPMN shapes. */
export type NodeShape = 'event' | 'gateway' | 'task' | 'container' | 'annotation';

/** One entry of the modeller's palette: a node type plus the data a fresh node starts with. */
export interface PaletteItem {
  /** Stable key (also the drag payload), e.g. `startEvent`, `startEvent:timer`. */
  readonly key: string;
  readonly type: Exclude<ProcessNodeType, 'unsupported'>;
  readonly label: string;
  readonly group: 'Events' | 'Activities' | 'Gateways' | 'Boundary events' | 'Other';
  /** A fresh node's `data` (boundary events get `attachedTo` when dropped on an activity). */
  readonly data: () => Record<string, unknown>;
}

/** Default size of a node type, as BPMN tools draw them. */
export function defaultSize(type: ProcessNodeType): { width: number; height: number } {
  switch (shapeOf(type)) {
    case 'event':
      return { width: 36, height: 36 };
    case 'gateway':
      return { width: 50, height: 50 };
    case 'container':
      return { width: 360, height: 200 };
    case 'annotation':
      return { width: 120, height: 40 };
    case 'task':
      return { width: 110, height: 80 };
  }
}

export function shapeOf(type: ProcessNodeType): NodeShape {
  switch (type) {
    case 'startEvent':
    case 'endEvent':
    case 'intermediateTimerEvent':
    case 'intermediateMessageEvent':
    case 'intermediateThrowEvent':
    case 'intermediateConditionalEvent':
    case 'intermediateLinkEvent':
    case 'intermediateSignalEvent':
    case 'boundaryEvent':
      return 'event';
    case 'exclusiveGateway':
    case 'parallelGateway':
    case 'inclusiveGateway':
    case 'eventBasedGateway':
      return 'gateway';
    case 'subProcess':
      return 'container';
    case 'textAnnotation':
      return 'annotation';
    default:
      return 'task';
  }
}

const timer = () => ({ type: 'duration', value: 'PT1H' });

/** Every drawable node kind (and event variant). `unsupported` nodes come only from imports. */
export const PALETTE: readonly PaletteItem[] = [
  {
    key: 'startEvent',
    type: 'startEvent',
    label: 'Start event',
    group: 'Events',
    data: () => ({}),
  },
  {
    key: 'startEvent:timer',
    type: 'startEvent',
    label: 'Timer start event',
    group: 'Events',
    data: () => ({ event: { type: 'timer', timer: timer() } }),
  },
  {
    key: 'startEvent:message',
    type: 'startEvent',
    label: 'Message start event',
    group: 'Events',
    data: () => ({
      event: { type: 'message', message: { name: 'Message', correlationKey: 'id' } },
    }),
  },
  {
    key: 'startEvent:signal',
    type: 'startEvent',
    label: 'Signal start event',
    group: 'Events',
    data: () => ({ event: { type: 'signal', signal: 'Signal' } }),
  },
  { key: 'endEvent', type: 'endEvent', label: 'End event', group: 'Events', data: () => ({}) },
  {
    key: 'endEvent:error',
    type: 'endEvent',
    label: 'Error end event',
    group: 'Events',
    data: () => ({ event: { type: 'error', errorCode: 'ERROR' } }),
  },
  {
    key: 'endEvent:terminate',
    type: 'endEvent',
    label: 'Terminate end event',
    group: 'Events',
    data: () => ({ event: { type: 'terminate' } }),
  },
  {
    key: 'endEvent:compensate',
    type: 'endEvent',
    label: 'Compensation end event',
    group: 'Events',
    data: () => ({ event: { type: 'compensate' } }),
  },
  {
    key: 'endEvent:escalation',
    type: 'endEvent',
    label: 'Escalation end event',
    group: 'Events',
    data: () => ({ event: { type: 'escalation', escalationCode: 'ESCALATION' } }),
  },
  {
    key: 'intermediateThrowEvent:escalation',
    type: 'intermediateThrowEvent',
    label: 'Escalation throw event',
    group: 'Events',
    data: () => ({ event: { type: 'escalation', escalationCode: 'ESCALATION' } }),
  },
  {
    key: 'intermediateTimerEvent',
    type: 'intermediateTimerEvent',
    label: 'Timer event',
    group: 'Events',
    data: () => ({ timer: timer() }),
  },
  {
    key: 'intermediateMessageEvent',
    type: 'intermediateMessageEvent',
    label: 'Message event',
    group: 'Events',
    data: () => ({ message: { name: 'Message', correlationKey: 'id' } }),
  },
  {
    key: 'endEvent:signal',
    type: 'endEvent',
    label: 'Signal end event',
    group: 'Events',
    data: () => ({ event: { type: 'signal', signal: 'Signal' } }),
  },
  {
    key: 'intermediateThrowEvent:signal',
    type: 'intermediateThrowEvent',
    label: 'Signal throw event',
    group: 'Events',
    data: () => ({ event: { type: 'signal', signal: 'Signal' } }),
  },
  {
    key: 'intermediateSignalEvent',
    type: 'intermediateSignalEvent',
    label: 'Signal catch event',
    group: 'Events',
    data: () => ({ signal: 'Signal' }),
  },
  {
    key: 'intermediateThrowEvent:link',
    type: 'intermediateThrowEvent',
    label: 'Link throw event',
    group: 'Events',
    data: () => ({ event: { type: 'link', link: 'Link' } }),
  },
  {
    key: 'intermediateLinkEvent',
    type: 'intermediateLinkEvent',
    label: 'Link catch event',
    group: 'Events',
    data: () => ({ link: 'Link' }),
  },
  {
    key: 'intermediateConditionalEvent',
    type: 'intermediateConditionalEvent',
    label: 'Conditional event',
    group: 'Events',
    data: () => ({ condition: 'ready = true' }),
  },
  {
    key: 'serviceTask',
    type: 'serviceTask',
    label: 'Service task',
    group: 'Activities',
    data: () => ({ name: 'Service task' }),
  },
  {
    key: 'sendTask',
    type: 'sendTask',
    label: 'Send task',
    group: 'Activities',
    data: () => ({ name: 'Send task' }),
  },
  {
    key: 'receiveTask',
    type: 'receiveTask',
    label: 'Receive task',
    group: 'Activities',
    data: () => ({ name: 'Receive task', message: { name: 'Message', correlationKey: 'id' } }),
  },
  {
    key: 'userTask',
    type: 'userTask',
    label: 'User task',
    group: 'Activities',
    data: () => ({ name: 'User task' }),
  },
  {
    key: 'agentTask',
    type: 'agentTask',
    label: 'Agent task',
    group: 'Activities',
    data: () => ({ name: 'Agent task' }),
  },
  {
    key: 'scriptTask',
    type: 'scriptTask',
    label: 'Script task',
    group: 'Activities',
    data: () => ({ name: 'Script task', script: '{}' }),
  },
  {
    key: 'businessRuleTask',
    type: 'businessRuleTask',
    label: 'Business rule task',
    group: 'Activities',
    data: () => ({ name: 'Business rule task' }),
  },
  {
    key: 'callActivity',
    type: 'callActivity',
    label: 'Call activity',
    group: 'Activities',
    data: () => ({ name: 'Call activity' }),
  },
  {
    key: 'subProcess',
    type: 'subProcess',
    label: 'Sub-process',
    group: 'Activities',
    data: () => ({ name: 'Sub-process' }),
  },
  {
    key: 'subProcess:event',
    type: 'subProcess',
    label: 'Event sub-process',
    group: 'Activities',
    data: () => ({ name: 'Event sub-process', triggeredByEvent: true }),
  },
  {
    key: 'exclusiveGateway',
    type: 'exclusiveGateway',
    label: 'Exclusive gateway',
    group: 'Gateways',
    data: () => ({}),
  },
  {
    key: 'parallelGateway',
    type: 'parallelGateway',
    label: 'Parallel gateway',
    group: 'Gateways',
    data: () => ({}),
  },
  {
    key: 'inclusiveGateway',
    type: 'inclusiveGateway',
    label: 'Inclusive gateway',
    group: 'Gateways',
    data: () => ({}),
  },
  {
    key: 'eventBasedGateway',
    type: 'eventBasedGateway',
    label: 'Event-based gateway',
    group: 'Gateways',
    data: () => ({}),
  },
  {
    key: 'boundaryEvent:timer',
    type: 'boundaryEvent',
    label: 'Timer boundary event',
    group: 'Boundary events',
    data: () => ({ attachedTo: '', interrupting: true, event: { type: 'timer', timer: timer() } }),
  },
  {
    key: 'boundaryEvent:message',
    type: 'boundaryEvent',
    label: 'Message boundary event',
    group: 'Boundary events',
    data: () => ({
      attachedTo: '',
      interrupting: true,
      event: { type: 'message', message: { name: 'Message', correlationKey: 'id' } },
    }),
  },
  {
    key: 'boundaryEvent:error',
    type: 'boundaryEvent',
    label: 'Error boundary event',
    group: 'Boundary events',
    data: () => ({ attachedTo: '', interrupting: true, event: { type: 'error' } }),
  },
  {
    key: 'boundaryEvent:conditional',
    type: 'boundaryEvent',
    label: 'Conditional boundary event',
    group: 'Boundary events',
    data: () => ({
      attachedTo: '',
      interrupting: true,
      event: { type: 'conditional', condition: 'ready = true' },
    }),
  },
  {
    key: 'boundaryEvent:signal',
    type: 'boundaryEvent',
    label: 'Signal boundary event',
    group: 'Boundary events',
    data: () => ({
      attachedTo: '',
      interrupting: true,
      event: { type: 'signal', signal: 'Signal' },
    }),
  },
  {
    key: 'boundaryEvent:escalation',
    type: 'boundaryEvent',
    label: 'Escalation boundary event',
    group: 'Boundary events',
    data: () => ({ attachedTo: '', interrupting: true, event: { type: 'escalation' } }),
  },
  {
    key: 'textAnnotation',
    type: 'textAnnotation',
    label: 'Text annotation',
    group: 'Other',
    data: () => ({ text: 'Note' }),
  },
];

export function paletteItem(key: string): PaletteItem | undefined {
  return PALETTE.find((p) => p.key === key);
}

/** Id prefix per node type: `Task_3`, `Gateway_1`, ... (XML NCNames, like BPMN tools). */
export function idPrefix(type: ProcessNodeType): string {
  switch (shapeOf(type)) {
    case 'event':
      return type === 'startEvent' ? 'StartEvent' : type === 'endEvent' ? 'EndEvent' : 'Event';
    case 'gateway':
      return 'Gateway';
    case 'container':
      return 'SubProcess';
    case 'annotation':
      return 'Annotation';
    case 'task':
      return 'Task';
  }
}

/** A short human label for a node: its name, else its kind. */
export function nodeLabel(node: ProcessNode): string {
  if (node.type === 'textAnnotation') return node.data.text;
  return node.data.name ?? '';
}
