import { ROOT_SCOPE, incomingOf, outgoingOf } from '../../graph/process-graph.js';
import type { ProcessNode } from '../../model/process-definition.js';
import { defineRule } from '../lint-rule.js';

const levelName = (scope: string): string =>
  scope === ROOT_SCOPE ? 'the process level' : `subProcess '${scope}'`;

export const startMissing = defineRule(
  {
    code: 'AM001',
    name: 'start-missing',
    title: 'A level (the process or a subProcess) has no start event',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    const scopes = [
      ROOT_SCOPE,
      ...definition.nodes.filter((n) => n.type === 'subProcess').map((n) => n.id),
    ];
    for (const scope of new Set(scopes)) {
      const nodes = graph.nodesByScope.get(scope) ?? [];
      // A timer, message or signal start counts (the process may start on one only; AM004 reports
      // triggers inside subProcesses).
      if (nodes.some((n) => n.type === 'startEvent')) continue;
      report({
        elementId: scope === ROOT_SCOPE ? definition.id : scope,
        elementKind: scope === ROOT_SCOPE ? 'process' : 'node',
        message: `${levelName(scope)} has no start event`,
      });
    }
  },
);

export const startMultiple = defineRule(
  {
    code: 'AM002',
    name: 'start-multiple',
    title: 'A level has more than one none start event',
    severity: 'error',
  },
  ({ graph, report }) => {
    for (const [scope, nodes] of graph.nodesByScope) {
      const starts = nodes.filter((n) => n.type === 'startEvent' && n.data.event === undefined);
      for (const extra of starts.slice(1)) {
        report({
          elementId: extra.id,
          elementKind: 'node',
          message: `${levelName(scope)} already starts at '${starts[0]!.id}'; a level has one none start event`,
        });
      }
    }
  },
);

export const startIncoming = defineRule(
  {
    code: 'AM003',
    name: 'start-incoming',
    title: 'A start event has incoming sequence flows',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (n.type !== 'startEvent') continue;
      const incoming = incomingOf(graph, n.id);
      if (incoming.length > 0) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `start event has incoming flow(s) ${incoming.map((e) => `'${e.id}'`).join(', ')}`,
        });
      }
    }
  },
);

/** Whether a node is an event subprocess (started by its trigger, not by flows). */
export const isEventSubProcess = (n: ProcessNode | undefined): boolean =>
  n?.type === 'subProcess' && n.data.triggeredByEvent === true;

export const subProcessStartTrigger = defineRule(
  {
    code: 'AM004',
    name: 'subprocess-start-trigger',
    title:
      'A start event inside a subProcess other than an event subprocess has a trigger, or an error, escalation or conditional start event is not in an event subprocess',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'startEvent' || n.data.event === undefined) return;
      const scope = graph.scopeOf.get(n.id) ?? ROOT_SCOPE;
      if (isEventSubProcess(graph.nodeById.get(scope))) return;
      const type = n.data.event.type;
      if (scope === ROOT_SCOPE && (type === 'timer' || type === 'message' || type === 'signal'))
        return;
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}].data.event`,
        message:
          scope === ROOT_SCOPE
            ? `a start event with a${type === 'error' || type === 'escalation' ? 'n' : ''} ${type} trigger only starts an event subprocess; the process starts on a none, timer, message or signal start event`
            : `a start event inside subProcess '${scope}' must be a none start event (mark the subProcess triggeredByEvent to make it an event subprocess)`,
      });
    });
  },
);

export const eventSubProcessStart = defineRule(
  {
    code: 'AM032',
    name: 'event-subprocess-start',
    title:
      'An event subprocess does not start at exactly one timer, message, error, escalation, conditional or signal start event, or `interrupting` is set where it has no meaning',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type === 'startEvent' && n.data.interrupting !== undefined) {
        const scope = graph.scopeOf.get(n.id) ?? ROOT_SCOPE;
        if (!isEventSubProcess(graph.nodeById.get(scope)))
          report({
            elementId: n.id,
            elementKind: 'node',
            path: `nodes[${i}].data.interrupting`,
            message:
              'interrupting applies only to the start event of an event subprocess; remove it',
          });
        else if (n.data.event?.type === 'error' && !n.data.interrupting)
          report({
            elementId: n.id,
            elementKind: 'node',
            path: `nodes[${i}].data.interrupting`,
            message: 'an error start event always interrupts (BPMN errors end what threw them)',
          });
      }
      if (!isEventSubProcess(n)) return;
      const starts = (graph.nodesByScope.get(n.id) ?? []).filter((c) => c.type === 'startEvent');
      if (starts.length === 0) return; // AM001 reports it
      if (starts.length > 1)
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `event subprocess '${n.id}' has ${starts.length} start events (${starts.map((s) => `'${s.id}'`).join(', ')}); it starts at exactly one`,
        });
      for (const s of starts)
        if (s.type === 'startEvent' && s.data.event === undefined)
          report({
            elementId: s.id,
            elementKind: 'node',
            path: `nodes[${definition.nodes.indexOf(s)}].data.event`,
            message: `the start event of event subprocess '${n.id}' needs a timer, message, error, escalation, conditional or signal trigger`,
          });
    });
  },
);

export const eventSubProcessShape = defineRule(
  {
    code: 'AM033',
    name: 'event-subprocess-shape',
    title:
      'An event subprocess has sequence flows, boundary events or multi-instance (its trigger alone starts it)',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'subProcess' || !isEventSubProcess(n)) return;
      const flows = [...incomingOf(graph, n.id), ...outgoingOf(graph, n.id)];
      if (flows.length > 0)
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `event subprocess '${n.id}' is started by its trigger, not by flows; remove ${flows.map((e) => `'${e.id}'`).join(', ')}`,
        });
      for (const b of graph.boundaryByHost.get(n.id) ?? [])
        report({
          elementId: b.id,
          elementKind: 'node',
          message: `boundary event '${b.id}' is attached to event subprocess '${n.id}', which takes no boundary events`,
        });
      if (n.data.multiInstance)
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.multiInstance`,
          message: `event subprocess '${n.id}' cannot be multi-instance`,
        });
    });
  },
);
