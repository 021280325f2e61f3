import { incomingOf, outgoingOf } from '../../graph/process-graph.js';
import { findBranchConflicts } from '../../graph/branch-analysis.js';
import { GATEWAY_TYPES } from '../../model/process-definition.js';
import { defineRule } from '../lint-rule.js';

const CONDITIONAL_GATEWAYS: ReadonlySet<string> = new Set(['exclusiveGateway', 'inclusiveGateway']);

export const gatewayConditionMissing = defineRule(
  {
    code: 'AM013',
    name: 'gateway-condition-missing',
    title:
      'A flow leaving an exclusive or inclusive split has neither a condition nor the default mark',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (!CONDITIONAL_GATEWAYS.has(n.type)) continue;
      const out = outgoingOf(graph, n.id);
      if (out.length < 2) continue;
      for (const e of out) {
        if (e.data.condition === undefined && e.data.isDefault !== true) {
          report({
            elementId: e.id,
            elementKind: 'edge',
            message: `flow '${e.id}' leaves ${n.type} '${n.id}' without a condition; add one or make it the default flow`,
          });
        }
      }
    }
  },
);

export const defaultMultiple = defineRule(
  {
    code: 'AM014',
    name: 'default-multiple',
    title: 'A node has more than one default flow',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      const defaults = outgoingOf(graph, n.id).filter((e) => e.data.isDefault === true);
      if (defaults.length > 1) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `'${n.id}' has ${defaults.length} default flows (${defaults.map((e) => `'${e.id}'`).join(', ')}); at most one is allowed`,
        });
      }
    }
  },
);

export const conditionMisplaced = defineRule(
  {
    code: 'AM015',
    name: 'condition-misplaced',
    title:
      'A condition or default mark on a flow that does not leave an exclusive or inclusive gateway, or a default flow with a condition',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    definition.edges.forEach((e, i) => {
      const source = graph.nodeById.get(e.source);
      if (!source) return;
      const conditional = CONDITIONAL_GATEWAYS.has(source.type);
      if (e.data.condition !== undefined && !conditional) {
        report({
          elementId: e.id,
          elementKind: 'edge',
          path: `edges[${i}].data.condition`,
          message: `flow leaves a ${source.type}, which does not evaluate conditions; route it through an exclusive or inclusive gateway`,
        });
      } else if (e.data.isDefault === true && !conditional) {
        report({
          elementId: e.id,
          elementKind: 'edge',
          path: `edges[${i}].data.isDefault`,
          message: `only flows leaving an exclusive or inclusive gateway can be the default flow (source is a ${source.type})`,
        });
      } else if (e.data.isDefault === true && e.data.condition !== undefined) {
        report({
          elementId: e.id,
          elementKind: 'edge',
          path: `edges[${i}].data.condition`,
          message:
            'the default flow is taken when no condition holds; it must not have a condition itself',
        });
      }
    });
  },
);

export const eventGatewayTargets = defineRule(
  {
    code: 'AM016',
    name: 'event-gateway-targets',
    title:
      'An event-based gateway does not lead to at least two intermediate catch events that only it enters',
    severity: 'error',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (n.type !== 'eventBasedGateway') continue;
      const out = outgoingOf(graph, n.id);
      if (out.length < 2) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message:
            'an event-based gateway races at least two events; it has fewer than two outgoing flows',
        });
      }
      for (const e of out) {
        const target = graph.nodeById.get(e.target);
        if (!target) continue;
        if (
          target.type !== 'intermediateTimerEvent' &&
          target.type !== 'intermediateMessageEvent' &&
          target.type !== 'intermediateSignalEvent' &&
          target.type !== 'intermediateConditionalEvent'
        ) {
          report({
            elementId: e.id,
            elementKind: 'edge',
            message: `flow from event-based gateway '${n.id}' leads to a ${target.type}; it must lead to an intermediate timer, message, signal or conditional event`,
          });
        } else if (incomingOf(graph, target.id).length > 1) {
          report({
            elementId: target.id,
            elementKind: 'node',
            message: `'${target.id}' follows event-based gateway '${n.id}' and must have no other incoming flow`,
          });
        }
      }
    }
  },
);

export const parallelJoinDeadlock = defineRule(
  {
    code: 'AM017',
    name: 'parallel-join-deadlock',
    title:
      'A parallel join waits for flows that exclusive branches never both take (structural deadlock)',
    severity: 'error',
  },
  ({ graph, report }) => {
    for (const c of findBranchConflicts(graph)) {
      if (c.kind !== 'deadlock') continue;
      report({
        elementId: c.joinId,
        elementKind: 'node',
        message: `parallel join '${c.joinId}' waits for both '${c.edgeIds[0]}' and '${c.edgeIds[1]}', but they come from different outcomes of '${c.splitId}': only one token arrives and the join deadlocks; use an exclusive (or inclusive) gateway to merge`,
      });
    }
  },
);

export const unsynchronizedMerge = defineRule(
  {
    code: 'AM018',
    name: 'unsynchronized-merge',
    title: 'An exclusive gateway merges branches of one parallel split (each branch passes it)',
    severity: 'warning',
  },
  ({ graph, report }) => {
    for (const c of findBranchConflicts(graph)) {
      if (c.kind !== 'unsynchronized') continue;
      report({
        elementId: c.joinId,
        elementKind: 'node',
        message: `exclusive gateway '${c.joinId}' merges '${c.edgeIds[0]}' and '${c.edgeIds[1]}', concurrent branches of '${c.splitId}': every branch passes it and runs what follows again; join them with a parallel gateway`,
      });
    }
  },
);

export const implicitSplit = defineRule(
  {
    code: 'AM019',
    name: 'implicit-split',
    title: 'A node that is not a gateway has several outgoing flows (an implicit parallel split)',
    severity: 'warning',
  },
  ({ definition, graph, report }) => {
    for (const n of definition.nodes) {
      if (GATEWAY_TYPES.has(n.type)) continue;
      const out = outgoingOf(graph, n.id);
      if (out.length > 1) {
        report({
          elementId: n.id,
          elementKind: 'node',
          message: `'${n.id}' has ${out.length} outgoing flows, which all run in parallel; say so with a parallel gateway`,
        });
      }
    }
  },
);
