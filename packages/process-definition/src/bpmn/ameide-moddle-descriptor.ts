/** XML namespace of Ameide's BPMN extensions (prefix `ameide:`). */
export const AMEIDE_BPMN_NAMESPACE = 'https://ameide.io/schema/bpmn/1.0';

/**
 * The moddle descriptor of the `ameide:` BPMN extension namespace (service, user task, agent,
 * call, decision and message bindings, multi-instance, process variables). Pass it to bpmn-js / bpmn-moddle as
 * `{ moddleExtensions: { ameide: ameideModdleDescriptor } }` to read and write Ameide bindings.
 * The same document is published as `@ameide/process-definition/ameide-moddle.json` (a test
 * keeps the two equal).
 */
export const ameideModdleDescriptor = {
  name: 'Ameide',
  prefix: 'ameide',
  uri: 'https://ameide.io/schema/bpmn/1.0',
  xml: {
    tagAlias: 'lowerCase',
  },
  associations: [],
  types: [
    {
      name: 'Expression',
      superClass: ['Element'],
      properties: [
        {
          name: 'body',
          isBody: true,
          type: 'String',
        },
      ],
    },
    {
      name: 'ServiceBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:ServiceTask', 'bpmn:SendTask'],
      },
      properties: [
        {
          name: 'service',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'method',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'timeout',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'input',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'output',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'retry',
          type: 'Retry',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'compensation',
          type: 'Compensation',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'Retry',
      superClass: ['Element'],
      properties: [
        {
          name: 'maxAttempts',
          isAttr: true,
          type: 'Integer',
        },
        {
          name: 'initialInterval',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'backoff',
          isAttr: true,
          type: 'Real',
        },
      ],
    },
    {
      name: 'Compensation',
      superClass: ['Element'],
      properties: [
        {
          name: 'method',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'input',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'UserTaskBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:UserTask'],
      },
      properties: [
        {
          name: 'title',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'due',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'assignee',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'candidateGroups',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'form',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'output',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'AgentBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:ServiceTask'],
      },
      properties: [
        {
          name: 'agent',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'version',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'riskTier',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'instructions',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'input',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'output',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'CallBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:CallActivity'],
      },
      properties: [
        {
          name: 'version',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'input',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'output',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'DecisionBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:BusinessRuleTask'],
      },
      properties: [
        {
          name: 'decision',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'version',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'decisionId',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'resultVariable',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'input',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'MessageBinding',
      superClass: ['Element'],
      meta: {
        allowedIn: [
          'bpmn:IntermediateCatchEvent',
          'bpmn:StartEvent',
          'bpmn:BoundaryEvent',
          'bpmn:ReceiveTask',
        ],
      },
      properties: [
        {
          name: 'correlationKey',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'output',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
      ],
    },
    {
      name: 'MultiInstance',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:MultiInstanceLoopCharacteristics'],
      },
      properties: [
        {
          name: 'inputCollection',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'inputElement',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'outputCollection',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'outputElement',
          type: 'Expression',
          xml: {
            serialize: 'property',
          },
        },
        {
          name: 'maxConcurrency',
          isAttr: true,
          type: 'Integer',
        },
      ],
    },
    {
      name: 'Variables',
      superClass: ['Element'],
      meta: {
        allowedIn: ['bpmn:Process'],
      },
      properties: [
        {
          name: 'variables',
          type: 'Variable',
          isMany: true,
        },
      ],
    },
    {
      name: 'Variable',
      superClass: ['Element'],
      properties: [
        {
          name: 'name',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'type',
          isAttr: true,
          type: 'String',
        },
        {
          name: 'required',
          isAttr: true,
          type: 'Boolean',
        },
        {
          name: 'description',
          isAttr: true,
          type: 'String',
        },
      ],
    },
    {
      name: 'ScriptTaskAttributes',
      extends: ['bpmn:ScriptTask'],
      properties: [
        {
          name: 'resultVariable',
          isAttr: true,
          type: 'String',
        },
      ],
    },
    {
      name: 'SequenceFlowAttributes',
      extends: ['bpmn:SequenceFlow'],
      properties: [
        {
          name: 'isDefault',
          isAttr: true,
          type: 'Boolean',
        },
      ],
    },
  ],
} as const;
