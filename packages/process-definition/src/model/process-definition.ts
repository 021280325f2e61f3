import { z } from 'zod';
import { bpmnInterchangeSchema } from './bpmn-interchange.js';

/**
 * The ProcessDefinition JSON model: a React Flow graph with BPMN semantics.
 *
 * Nodes and edges have React Flow's shape (`id`, `type`, `position`, `width`, `height`,
 * `parentId`, `data`), so the modeller renders them with custom node types and sub-flows
 * without a mapping layer. Node positions are relative to the `parentId` node (as in React
 * Flow); top-level nodes, lanes, the pool and edge waypoints use absolute diagram coordinates
 * (as in BPMN DI).
 *
 * FEEL expressions are plain strings without Camunda's leading `=`.
 */

/** XML NCName-compatible id: valid as a BPMN id and as a React Flow id. */
const elementId = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]*$/,
    'must start with a letter or _ and contain only letters, digits, _ . -',
  )
  .refine((id) => id !== '__proto__', 'is reserved');

/** Whether every character can be written to XML 1.0 (BPMN export). */
function isXmlSafe(value: string): boolean {
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    const ok =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

/** Free text: any string XML can carry (control characters and lone surrogates are refused). */
const text = z
  .string()
  .refine(isXmlSafe, 'contains a character XML cannot carry (control character or lone surrogate)');
const feel = text;
const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _)');

export const positionSchema = z.strictObject({ x: z.number(), y: z.number() });

const documented = {
  name: text.optional(),
  documentation: text.optional(),
};

/** ISO 8601 timer: `duration` (PT15M), `date` (2026-01-01T09:00:00Z) or `cycle` (R3/PT1H). */
export const timerSchema = z.strictObject({
  type: z.enum(['duration', 'date', 'cycle']),
  value: text,
});

/** A message subscription: name + FEEL correlation key (+ FEEL mapping of the payload). */
export const messageSubscriptionSchema = z.strictObject({
  name: text.min(1),
  correlationKey: feel,
  output: feel.optional(),
});

export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1),
  /** ISO 8601 duration before the first retry. */
  initialInterval: text,
  /** Multiplier applied to the interval after each attempt (1 = constant). */
  backoff: z.number().min(1),
});

/** Binds a service task to a proto RPC (`service`/`method`, e.g. `ameide.sales.v1.OrderService`/`ConfirmOrder`). */
export const serviceBindingSchema = z.strictObject({
  service: text.min(1),
  method: text.min(1),
  /** FEEL expression evaluating to the request message (a context). */
  input: feel.optional(),
  /** FEEL expression over the variables and `response`, evaluating to a context merged into the variables. */
  output: feel.optional(),
  retry: retryPolicySchema.optional(),
  /** ISO 8601 duration: how long one attempt may run. */
  timeout: text.optional(),
  /** RPC on the same service that undoes this task; run in reverse order when compensation is triggered. */
  compensation: z.strictObject({ method: text.min(1), input: feel.optional() }).optional(),
});

export const userTaskBindingSchema = z.strictObject({
  title: text.optional(),
  /** FEEL expression evaluating to a user id. */
  assignee: feel.optional(),
  /** FEEL expression evaluating to a list of group names, e.g. `["sales"]`. */
  candidateGroups: feel.optional(),
  /** JSON Schema of the form the user submits. */
  form: z.record(z.string(), z.unknown()).optional(),
  /** ISO 8601 duration (from task creation) or date. */
  due: text.optional(),
  /** FEEL expression over the variables and `submission`, evaluating to a context merged into the variables. */
  output: feel.optional(),
});

export const definitionVersionSchema = z.union([z.literal('latest'), z.number().int().min(1)]);

export const agentBindingSchema = z.strictObject({
  /** Name of an AgentDefinition. */
  agent: text.min(1),
  version: definitionVersionSchema,
  instructions: text.optional(),
  riskTier: z.enum(['low', 'medium', 'high']),
  input: feel.optional(),
  output: feel.optional(),
});

export const callBindingSchema = z.strictObject({
  /** Name (process id) of another published ProcessDefinition. */
  definition: text.min(1),
  version: definitionVersionSchema,
  input: feel.optional(),
  output: feel.optional(),
});

/** Binds a business rule task to a decision of a published DecisionDefinition (DMN 1.3). */
export const decisionBindingSchema = z.strictObject({
  /** Name of a published DecisionDefinition artifact. */
  decision: text.min(1),
  version: definitionVersionSchema,
  /** Id of the decision inside the DMN model; its only top-level decision when absent. */
  decisionId: text.min(1).optional(),
  /** FEEL expression giving the evaluation context (a context); all variables when absent. */
  input: feel.optional(),
  /** Variable receiving the decision's result. */
  resultVariable: variableName,
});

/** Most instances of a parallel multi-instance activity that run at once (Temporal's pending limit is 2,000). */
export const MAX_MULTI_INSTANCE_CONCURRENCY = 1000;
/** Default bound of a parallel multi-instance activity's concurrency. */
export const DEFAULT_MULTI_INSTANCE_CONCURRENCY = 100;

/**
 * Multi-instance (BPMN `multiInstanceLoopCharacteristics`): the activity runs once per element of
 * a list, in parallel (at most `maxConcurrency` at once) or one after another. Inside an instance
 * the element and `loopCounter` (1-based) are local variables, and what the activity writes stays
 * local to the instance; `outputElement` picks the instance's result for `outputCollection`.
 */
export const multiInstanceSchema = z.strictObject({
  /** Instances run one after another (BPMN `isSequential`). */
  sequential: z.boolean().optional(),
  /** FEEL expression evaluating to a list: one instance per element. */
  inputCollection: feel,
  /** Local variable holding an instance's element. */
  inputElement: variableName.optional(),
  /** Variable receiving the instances' results as a list, in input order (null where none). */
  outputCollection: variableName.optional(),
  /** FEEL expression over an instance's variables: its entry of `outputCollection`. */
  outputElement: feel.optional(),
  /**
   * FEEL condition checked when an instance completes (with `numberOfInstances`,
   * `numberOfCompletedInstances`, `numberOfActiveInstances`); true completes the activity and
   * cancels the instances still running.
   */
  completionCondition: feel.optional(),
  /** Parallel only: at most this many instances run at once. */
  maxConcurrency: z.number().int().min(1).max(MAX_MULTI_INSTANCE_CONCURRENCY).optional(),
});

const looped = { multiInstance: multiInstanceSchema.optional() };

/**
 * What triggers a catching start or boundary event. Error and escalation triggers without a code
 * catch every one; a conditional trigger fires when its FEEL condition over the variables turns
 * true (at once if it holds when watching starts; a non-interrupting one again only after it
 * turned false); a signal trigger fires when the signal is broadcast in the tenant.
 */
export const eventTriggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('timer'), timer: timerSchema }),
  z.strictObject({ type: z.literal('message'), message: messageSubscriptionSchema }),
  z.strictObject({ type: z.literal('error'), errorCode: text.min(1).optional() }),
  z.strictObject({ type: z.literal('escalation'), escalationCode: text.min(1).optional() }),
  z.strictObject({ type: z.literal('conditional'), condition: feel }),
  z.strictObject({ type: z.literal('signal'), signal: text.min(1) }),
]);

const startEventData = z.strictObject({
  ...documented,
  /**
   * Absent: a none start event. Timer and message starts start the process (at the process
   * level) or an event subprocess; the other triggers only start an event subprocess.
   */
  event: eventTriggerSchema.optional(),
  /**
   * Start event of an event subprocess only (BPMN `isInterrupting`, default true): whether its
   * trigger cancels everything else running at the level the event subprocess belongs to.
   */
  interrupting: z.boolean().optional(),
});

const endEventData = z.strictObject({
  ...documented,
  /** Absent: a none end event. `compensate` compensates completed tasks of the scope in reverse order. */
  event: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('error'), errorCode: text.min(1).optional() }),
      z.strictObject({ type: z.literal('terminate') }),
      z.strictObject({ type: z.literal('compensate') }),
      /** Escalates to the enclosing levels (a catcher may interrupt them), then ends the token. */
      z.strictObject({ type: z.literal('escalation'), escalationCode: text.min(1) }),
      /** Broadcasts the signal to every instance of the tenant waiting for it, then ends the token. */
      z.strictObject({ type: z.literal('signal'), signal: text.min(1) }),
    ])
    .optional(),
});

const boundaryEventData = z.strictObject({
  ...documented,
  /** Id of the activity the event is attached to. */
  attachedTo: text,
  /** Whether the event cancels the activity (BPMN `cancelActivity`). */
  interrupting: z.boolean(),
  /**
   * Fires while the activity runs (a non-interrupting one again per message, cycle, signal or
   * condition edge). An escalation trigger belongs on a subProcess: it catches what is thrown inside.
   */
  event: eventTriggerSchema,
});

const intermediateThrowEventData = z.strictObject({
  ...documented,
  /**
   * What the event throws. A link continues at the link catch event of its name. An escalation goes to the enclosing levels (an escalation boundary
   * event on the subProcess, an escalation event subprocess); the token then goes on, unless a
   * catcher interrupted its level. Nobody catching it is not an error.
   */
  event: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('escalation'), escalationCode: text.min(1) }),
    /** Goes on at the link catch event of the same name on the same level (a "go to"). */
    z.strictObject({ type: z.literal('link'), link: text.min(1) }),
    /**
     * Broadcasts the signal to every catcher waiting for it in the tenant: this instance's and
     * every other instance's (never another tenant's); nobody waiting is not an error.
     */
    z.strictObject({ type: z.literal('signal'), signal: text.min(1) }),
  ]),
});

const unsupportedData = z.strictObject({
  ...documented,
  /** The BPMN element type, e.g. `bpmn:ManualTask`. */
  bpmnType: text.regex(/^bpmn:[A-Za-z]+$/, 'must be a bpmn: element type'),
  /** BPMN event definition types, e.g. `bpmn:SignalEventDefinition`. */
  eventDefinitions: z.array(text.regex(/^bpmn:[A-Za-z]+EventDefinition$/)).optional(),
  attachedTo: text.optional(),
  interrupting: z.boolean().optional(),
  /** What makes an otherwise supported element unsupported. */
  loop: z.enum(['multiInstance', 'standard']).optional(),
  /** An event subprocess. */
  triggeredByEvent: z.boolean().optional(),
  /** A BPMN compensation handler (Ameide compensates through service bindings instead). */
  isForCompensation: z.boolean().optional(),
  /** A script task in a language other than FEEL. */
  scriptFormat: text.optional(),
  /** An event-based gateway that instantiates the process. */
  instantiate: z.boolean().optional(),
});

const plain = z.strictObject({ ...documented });

function node<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    id: elementId,
    type: z.literal(type),
    position: positionSchema,
    width: z.number().positive().optional(),
    height: z.number().positive().optional(),
    /** Containing subProcess (React Flow sub-flow parent). */
    parentId: text.optional(),
    data,
  });
}

export const nodeSchema = z.discriminatedUnion('type', [
  node('startEvent', startEventData.default({})),
  node('endEvent', endEventData.default({})),
  node(
    'serviceTask',
    z
      .strictObject({ ...documented, ...looped, binding: serviceBindingSchema.optional() })
      .default({}),
  ),
  node(
    'userTask',
    z
      .strictObject({ ...documented, ...looped, binding: userTaskBindingSchema.optional() })
      .default({}),
  ),
  node(
    'sendTask',
    z
      .strictObject({ ...documented, ...looped, binding: serviceBindingSchema.optional() })
      .default({}),
  ),
  node(
    'receiveTask',
    z
      .strictObject({ ...documented, ...looped, message: messageSubscriptionSchema.optional() })
      .default({}),
  ),
  node(
    'agentTask',
    z
      .strictObject({ ...documented, ...looped, binding: agentBindingSchema.optional() })
      .default({}),
  ),
  node(
    'scriptTask',
    z.strictObject({
      ...documented,
      ...looped,
      /** FEEL expression. */
      script: feel,
      /** Variable receiving the result. */
      resultVariable: variableName.optional(),
    }),
  ),
  node('exclusiveGateway', plain.default({})),
  node('parallelGateway', plain.default({})),
  node('inclusiveGateway', plain.default({})),
  node('eventBasedGateway', plain.default({})),
  node('intermediateTimerEvent', z.strictObject({ ...documented, timer: timerSchema })),
  node(
    'intermediateMessageEvent',
    z.strictObject({ ...documented, message: messageSubscriptionSchema }),
  ),
  node(
    'intermediateConditionalEvent',
    z.strictObject({
      ...documented,
      /** FEEL condition over the variables: the token waits until it holds. */
      condition: feel,
    }),
  ),
  node('intermediateThrowEvent', intermediateThrowEventData),
  node(
    'intermediateSignalEvent',
    z.strictObject({
      ...documented,
      /** Signal name: the token waits until the signal is broadcast in the tenant. */
      signal: text.min(1),
    }),
  ),
  node(
    'intermediateLinkEvent',
    z.strictObject({
      ...documented,
      /** Link name: tokens of the link throw events of this name on the same level arrive here. */
      link: text.min(1),
    }),
  ),
  node('boundaryEvent', boundaryEventData),
  node(
    'subProcess',
    z
      .strictObject({
        ...documented,
        ...looped,
        /**
         * An event subprocess (BPMN `triggeredByEvent`): no sequence flow enters or leaves it; it
         * runs when its start event's trigger fires while the level it sits in runs.
         */
        triggeredByEvent: z.boolean().optional(),
      })
      .default({}),
  ),
  node(
    'callActivity',
    z.strictObject({ ...documented, ...looped, binding: callBindingSchema.optional() }).default({}),
  ),
  node(
    'businessRuleTask',
    z
      .strictObject({ ...documented, ...looped, binding: decisionBindingSchema.optional() })
      .default({}),
  ),
  node('textAnnotation', z.strictObject({ text })),
  node('unsupported', unsupportedData),
]);

export const edgeSchema = z.object({
  id: elementId,
  source: text,
  target: text,
  data: z
    .strictObject({
      name: text.optional(),
      /** FEEL condition; allowed on flows leaving exclusive and inclusive gateways. */
      condition: feel.optional(),
      /** The gateway's default flow, taken when no condition holds. */
      isDefault: z.boolean().optional(),
      /** BPMN DI waypoints (absolute coordinates). */
      waypoints: z.array(positionSchema).optional(),
    })
    .default({}),
});

export const variableTypeSchema = z.enum([
  'string',
  'number',
  'boolean',
  'date',
  'dateTime',
  'duration',
  'object',
  'array',
  'any',
]);

export const variableSchema = z.strictObject({
  name: variableName,
  type: variableTypeSchema,
  required: z.boolean().optional(),
  description: text.optional(),
});

export const laneSchema = z.strictObject({
  id: elementId,
  name: text.optional(),
  /** Ids of the top-level nodes in this lane. */
  nodeIds: z.array(text),
  position: positionSchema,
  width: z.number().positive(),
  height: z.number().positive(),
});

export const participantSchema = z.strictObject({
  id: elementId,
  name: text.optional(),
  position: positionSchema,
  width: z.number().positive(),
  height: z.number().positive(),
});

export const processDefinitionSchema = z.object({
  schemaVersion: z.literal(1),
  /** Process id; other definitions call it by this name. */
  id: elementId,
  name: text.optional(),
  documentation: text.optional(),
  variables: z.array(variableSchema).default([]),
  /** The pool drawn around the process, if any. */
  participant: participantSchema.optional(),
  lanes: z.array(laneSchema).default([]),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  /** What the BPMN document it was imported from holds beyond the model, kept for export. */
  bpmn: bpmnInterchangeSchema.optional(),
});

export type Position = z.infer<typeof positionSchema>;
export type TimerDefinition = z.infer<typeof timerSchema>;
export type EventTrigger = z.infer<typeof eventTriggerSchema>;
export type MessageSubscription = z.infer<typeof messageSubscriptionSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type ServiceBinding = z.infer<typeof serviceBindingSchema>;
export type UserTaskBinding = z.infer<typeof userTaskBindingSchema>;
export type AgentBinding = z.infer<typeof agentBindingSchema>;
export type CallBinding = z.infer<typeof callBindingSchema>;
export type DecisionBinding = z.infer<typeof decisionBindingSchema>;
export type MultiInstance = z.infer<typeof multiInstanceSchema>;
export type DefinitionVersion = z.infer<typeof definitionVersionSchema>;
export type ProcessNode = z.infer<typeof nodeSchema>;
export type ProcessNodeType = ProcessNode['type'];
export type ProcessEdge = z.infer<typeof edgeSchema>;
export type ProcessVariable = z.infer<typeof variableSchema>;
export type VariableType = z.infer<typeof variableTypeSchema>;
export type Lane = z.infer<typeof laneSchema>;
export type Participant = z.infer<typeof participantSchema>;
/** A validated ProcessDefinition (what {@link parseProcessDefinition} returns). */
export type ProcessDefinition = z.infer<typeof processDefinitionSchema>;
/** What a caller may write: `variables`, `lanes` and some `data` objects may be omitted. */
export type ProcessDefinitionInput = z.input<typeof processDefinitionSchema>;
/** The node of one type, e.g. `NodeOfType<'serviceTask'>`. */
export type NodeOfType<T extends ProcessNodeType> = Extract<ProcessNode, { type: T }>;

/** Node types that are BPMN activities (may carry boundary events). */
export const ACTIVITY_TYPES: ReadonlySet<ProcessNodeType> = new Set([
  'serviceTask',
  'sendTask',
  'receiveTask',
  'userTask',
  'agentTask',
  'scriptTask',
  'subProcess',
  'callActivity',
  'businessRuleTask',
]);

export const GATEWAY_TYPES: ReadonlySet<ProcessNodeType> = new Set([
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
]);
