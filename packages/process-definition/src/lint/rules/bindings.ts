import { defineRule } from '../lint-rule.js';

const SERVICE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const bindingMissing = defineRule(
  {
    code: 'AM024',
    name: 'binding-missing',
    title:
      'A service, send, receive or agent task, call activity or business rule task has no Ameide binding',
    severity: 'error',
  },
  ({ definition, report }) => {
    definition.nodes.forEach((n, i) => {
      if (n.type === 'receiveTask') {
        if (n.data.message === undefined)
          report({
            elementId: n.id,
            elementKind: 'node',
            path: `nodes[${i}].data.message`,
            message: `receiveTask '${n.id}' has no message: name the message it waits for and its correlation key`,
          });
        return;
      }
      if (
        n.type !== 'serviceTask' &&
        n.type !== 'sendTask' &&
        n.type !== 'agentTask' &&
        n.type !== 'callActivity' &&
        n.type !== 'businessRuleTask'
      )
        return;
      if (n.data.binding !== undefined) return;
      const what =
        n.type === 'serviceTask' || n.type === 'sendTask'
          ? 'the proto RPC it calls (service and method)'
          : n.type === 'agentTask'
            ? 'the agent definition it runs'
            : n.type === 'callActivity'
              ? 'the process definition it calls'
              : 'the decision definition it evaluates and the variable receiving the result';
      report({
        elementId: n.id,
        elementKind: 'node',
        path: `nodes[${i}].data.binding`,
        message: `${n.type} '${n.id}' has no binding: name ${what}`,
      });
    });
  },
);

export const serviceRpcUnknown = defineRule(
  {
    code: 'AM025',
    name: 'service-rpc-unknown',
    title: 'A service binding names an RPC that is not in the platform proto descriptors',
    severity: 'error',
  },
  ({ definition, options, report }) => {
    definition.nodes.forEach((n, i) => {
      if ((n.type !== 'serviceTask' && n.type !== 'sendTask') || !n.data.binding) return;
      const { service, method, compensation } = n.data.binding;
      const path = `nodes[${i}].data.binding`;
      if (!SERVICE_NAME.test(service)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `${path}.service`,
          message: `'${service}' is not a fully-qualified proto service name (e.g. ameide.sales.v1.OrderService)`,
        });
        return;
      }
      const methods: [string, string][] = [[`${path}.method`, method]];
      if (compensation) methods.push([`${path}.compensation.method`, compensation.method]);
      for (const [at, name] of methods) {
        if (!METHOD_NAME.test(name)) {
          report({
            elementId: n.id,
            elementKind: 'node',
            path: at,
            message: `'${name}' is not a proto method name`,
          });
        } else if (options.services && !options.services.hasMethod(service, name)) {
          report({
            elementId: n.id,
            elementKind: 'node',
            path: at,
            message: `no RPC ${service}/${name} in the platform proto descriptors`,
          });
        }
      }
    });
  },
);

export const calledDefinitionUnknown = defineRule(
  {
    code: 'AM026',
    name: 'called-definition-unknown',
    title: 'A call activity names a process definition (or version) that is not published',
    severity: 'error',
  },
  ({ definition, options, report }) => {
    const resolver = options.definitions;
    if (!resolver) return;
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'callActivity' || !n.data.binding) return;
      const { definition: name, version } = n.data.binding;
      if (!resolver.hasDefinition(name, version)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.binding.definition`,
          message: `no published process definition '${name}' at version ${String(version)}`,
        });
      }
    });
  },
);

export const decisionUnknown = defineRule(
  {
    code: 'AM031',
    name: 'decision-unknown',
    title: 'A business rule task names a decision definition (or version) that is not published',
    severity: 'error',
  },
  ({ definition, options, report }) => {
    const resolver = options.decisions;
    if (!resolver) return;
    definition.nodes.forEach((n, i) => {
      if (n.type !== 'businessRuleTask' || !n.data.binding) return;
      const { decision, version } = n.data.binding;
      if (!resolver.hasDefinition(decision, version)) {
        report({
          elementId: n.id,
          elementKind: 'node',
          path: `nodes[${i}].data.binding.decision`,
          message: `no published decision definition '${decision}' at version ${String(version)}`,
        });
      }
    });
  },
);
