import { incomingOf } from '../../graph/process-graph.js';
import { ACTIVITY_TYPES } from '../../model/process-definition.js';
import { defineRule } from '../lint-rule.js';

export const boundaryAttachment = defineRule(
  {
    code: 'AM022',
    name: 'boundary-attachment',
    title:
      'A boundary event is not attached to an activity on its own level, or has incoming flows',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'boundaryEvent') return;
      const path = `nodes[${i}].data.attachedTo`;
      const host = graph.nodeById.get(n.data.attachedTo);
      if (!host) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path,
          message: `attachedTo '${n.data.attachedTo}' is not a node of this definition`,
        });
      } else if (!ACTIVITY_TYPES.has(host.type)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path,
          message: `boundary events attach to activities; '${host.id}' is a ${host.type}`,
        });
      } else if (graph.scopeOf.get(host.id) !== graph.scopeOf.get(n.id)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].parentId`,
          message: `boundary event must have the same parentId as its activity '${host.id}'`,
        });
      }
      const incoming = incomingOf(graph, n.id);
      if (incoming.length > 0) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `a boundary event is triggered by its activity, not by flows; remove incoming ${incoming.map((e) => `'${e.id}'`).join(', ')}`,
        });
      }
    });
  },
);

export const errorBoundaryNonInterrupting = defineRule(
  {
    code: 'AM023',
    name: 'error-boundary-non-interrupting',
    title: 'An error boundary event is non-interrupting (BPMN errors always interrupt)',
    severity: 'error',
  },
  ({ definition, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type === 'boundaryEvent' && n.data.event.type === 'error' && !n.data.interrupting) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.interrupting`,
          message: 'an error ends the activity, so an error boundary event is always interrupting',
        });
      }
    });
  },
);

export const escalationBoundaryHost = defineRule(
  {
    code: 'AM034',
    name: 'escalation-boundary-host',
    title:
      'An escalation boundary event is attached to something other than a subProcess or a call activity (escalations are thrown inside one, or by the instance it calls)',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'boundaryEvent' || n.data.event.type !== 'escalation') return;
      const host = graph.nodeById.get(n.data.attachedTo);
      // AM022 reports a missing host; a called instance passes the escalations it does not catch up.
      if (!host || host.type === 'subProcess' || host.type === 'callActivity') return;
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}].data.attachedTo`,
        message: `an escalation boundary event catches escalations thrown inside a subProcess or by the instance a call activity runs; '${host.id}' is a ${host.type}`,
      });
    });
  },
);
