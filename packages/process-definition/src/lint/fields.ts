import type { ElementKind } from '../model/diagnostic.js';
import type { ProcessDefinition } from '../model/process-definition.js';

/** A text field of the definition that holds FEEL or ISO 8601. */
export interface TextField {
  readonly elementId: string;
  readonly elementKind: ElementKind;
  readonly path: string;
  readonly value: string;
}

/**
 * What an ISO 8601 field must hold: a timer of its type, `due` (a duration or a date),
 * or `fixedDuration` (no years or months, so it converts to milliseconds).
 */
export type IsoKind = 'duration' | 'date' | 'cycle' | 'due' | 'fixedDuration';

export interface IsoField extends TextField {
  readonly kind: IsoKind;
}

/** Every FEEL expression of the definition, in definition order. */
export function feelFields(def: ProcessDefinition): TextField[] {
  const out: TextField[] = [];
  def.nodes.forEach((n, i) => {
    const at = (path: string, value: string | undefined): void => {
      if (value !== undefined) {
        out.push({ elementId: n.id, elementKind: 'node', path: `nodes[${i}].data.${path}`, value });
      }
    };
    if ('multiInstance' in n.data && n.data.multiInstance) {
      const mi = n.data.multiInstance;
      at('multiInstance.inputCollection', mi.inputCollection);
      at('multiInstance.outputElement', mi.outputElement);
      at('multiInstance.completionCondition', mi.completionCondition);
    }
    switch (n.type) {
      case 'serviceTask':
      case 'sendTask':
        at('binding.input', n.data.binding?.input);
        at('binding.output', n.data.binding?.output);
        at('binding.compensation.input', n.data.binding?.compensation?.input);
        break;
      case 'receiveTask':
        at('message.correlationKey', n.data.message?.correlationKey);
        at('message.output', n.data.message?.output);
        break;
      case 'boundaryEvent':
        if (n.data.event.type === 'message') {
          at('event.message.correlationKey', n.data.event.message.correlationKey);
          at('event.message.output', n.data.event.message.output);
        }
        if (n.data.event.type === 'conditional') at('event.condition', n.data.event.condition);
        break;
      case 'intermediateConditionalEvent':
        at('condition', n.data.condition);
        break;
      case 'userTask':
        at('binding.assignee', n.data.binding?.assignee);
        at('binding.candidateGroups', n.data.binding?.candidateGroups);
        at('binding.output', n.data.binding?.output);
        break;
      case 'agentTask':
      case 'callActivity':
        at('binding.input', n.data.binding?.input);
        at('binding.output', n.data.binding?.output);
        break;
      case 'scriptTask':
        at('script', n.data.script);
        break;
      case 'businessRuleTask':
        at('binding.input', n.data.binding?.input);
        break;
      case 'startEvent':
        if (n.data.event?.type === 'message') {
          at('event.message.correlationKey', n.data.event.message.correlationKey);
          at('event.message.output', n.data.event.message.output);
        }
        if (n.data.event?.type === 'conditional') at('event.condition', n.data.event.condition);
        break;
      case 'intermediateMessageEvent':
        at('message.correlationKey', n.data.message.correlationKey);
        at('message.output', n.data.message.output);
        break;
      default:
        break;
    }
  });
  def.edges.forEach((e, i) => {
    if (e.data.condition !== undefined) {
      out.push({
        elementId: e.id,
        elementKind: 'edge',
        path: `edges[${i}].data.condition`,
        value: e.data.condition,
      });
    }
  });
  return out;
}

/** Every ISO 8601 field of the definition, in definition order. */
export function isoFields(def: ProcessDefinition): IsoField[] {
  const out: IsoField[] = [];
  def.nodes.forEach((n, i) => {
    const at = (path: string, value: string | undefined, kind: IsoKind): void => {
      if (value !== undefined) {
        out.push({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.${path}`,
          value,
          kind,
        });
      }
    };
    switch (n.type) {
      case 'startEvent':
      case 'boundaryEvent':
        if (n.data.event?.type === 'timer') {
          at('event.timer.value', n.data.event.timer.value, n.data.event.timer.type);
        }
        break;
      case 'intermediateTimerEvent':
        at('timer.value', n.data.timer.value, n.data.timer.type);
        break;
      case 'userTask':
        at('binding.due', n.data.binding?.due, 'due');
        break;
      case 'serviceTask':
      case 'sendTask':
        at('binding.timeout', n.data.binding?.timeout, 'fixedDuration');
        at(
          'binding.retry.initialInterval',
          n.data.binding?.retry?.initialInterval,
          'fixedDuration',
        );
        break;
      default:
        break;
    }
  });
  return out;
}
