import { z } from 'zod';

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
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and contain only letters, digits, _ . -')
  .refine((id) => id !== '__proto__', 'is reserved');

const feel = z.string();
const variableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _)');

export const positionSchema = z.strictObject({ x: z.number(), y: z.number() });

const documented = {
  name: z.string().optional(),
  documentation: z.string().optional(),
};

/** ISO 8601 timer: `duration` (PT15M), `date` (2026-01-01T09:00:00Z) or `cycle` (R3/PT1H). */
export const timerSchema = z.strictObject({
  type: z.enum(['duration', 'date', 'cycle']),
  value: z.string(),
});

/** A message subscription: name + FEEL correlation key (+ FEEL mapping of the payload). */
export const messageSubscriptionSchema = z.strictObject({
  name: z.string().min(1),
  correlationKey: feel,
  output: feel.optional(),
});

export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1),
  /** ISO 8601 duration before the first retry. */
  initialInterval: z.string(),
  /** Multiplier applied to the interval after each attempt (1 = constant). */
  backoff: z.number().min(1),
});

/** Binds a service task to a proto RPC (`service`/`method`, e.g. `ameide.sales.v1.OrderService`/`ConfirmOrder`). */
export const serviceBindingSchema = z.strictObject({
  service: z.string().min(1),
  method: z.string().min(1),
  /** FEEL expression evaluating to the request message (a context). */
  input: feel.optional(),
  /** FEEL expression over the variables and `response`, evaluating to a context merged into the variables. */
  output: feel.optional(),
  retry: retryPolicySchema.optional(),
  /** ISO 8601 duration: how long one attempt may run. */
  timeout: z.string().optional(),
  /** RPC on the same service that undoes this task; run in reverse order when compensation is triggered. */
  compensation: z
    .strictObject({ method: z.string().min(1), input: feel.optional() })
    .optional(),
});

export const userTaskBindingSchema = z.strictObject({
  title: z.string().optional(),
  /** FEEL expression evaluating to a user id. */
  assignee: feel.optional(),
  /** FEEL expression evaluating to a list of group names, e.g. `["sales"]`. */
  candidateGroups: feel.optional(),
  /** JSON Schema of the form the user submits. */
  form: z.record(z.string(), z.unknown()).optional(),
  /** ISO 8601 duration (from task creation) or date. */
  due: z.string().optional(),
  /** FEEL expression over the variables and `submission`, evaluating to a context merged into the variables. */
  output: feel.optional(),
});

export const definitionVersionSchema = z.union([z.literal('latest'), z.number().int().min(1)]);

export const agentBindingSchema = z.strictObject({
  /** Name of an AgentDefinition. */
  agent: z.string().min(1),
  version: definitionVersionSchema,
  instructions: z.string().optional(),
  riskTier: z.enum(['low', 'medium', 'high']),
  input: feel.optional(),
  output: feel.optional(),
});

export const callBindingSchema = z.strictObject({
  /** Name (process id) of another published ProcessDefinition. */
  definition: z.string().min(1),
  version: definitionVersionSchema,
  input: feel.optional(),
  output: feel.optional(),
});

const startEventData = z.strictObject({
  ...documented,
  /** Absent: a none start event. */
  event: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('timer'), timer: timerSchema }),
      z.strictObject({ type: z.literal('message'), message: messageSubscriptionSchema }),
    ])
    .optional(),
});

const endEventData = z.strictObject({
  ...documented,
  /** Absent: a none end event. `compensate` compensates completed tasks of the scope in reverse order. */
  event: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('error'), errorCode: z.string().min(1).optional() }),
      z.strictObject({ type: z.literal('terminate') }),
      z.strictObject({ type: z.literal('compensate') }),
    ])
    .optional(),
});

const boundaryEventData = z.strictObject({
  ...documented,
  /** Id of the activity the event is attached to. */
  attachedTo: z.string(),
  /** Whether the event cancels the activity (BPMN `cancelActivity`). */
  interrupting: z.boolean(),
  event: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('timer'), timer: timerSchema }),
    /** Without `errorCode` the event catches every error. */
    z.strictObject({ type: z.literal('error'), errorCode: z.string().min(1).optional() }),
  ]),
});

const unsupportedData = z.strictObject({
  ...documented,
  /** The BPMN element type, e.g. `bpmn:ManualTask`. */
  bpmnType: z.string().regex(/^bpmn:[A-Za-z]+$/, 'must be a bpmn: element type'),
  /** BPMN event definition types, e.g. `bpmn:SignalEventDefinition`. */
  eventDefinitions: z.array(z.string().regex(/^bpmn:[A-Za-z]+EventDefinition$/)).optional(),
  attachedTo: z.string().optional(),
  interrupting: z.boolean().optional(),
  /** What makes an otherwise supported element unsupported. */
  loop: z.enum(['multiInstance', 'standard']).optional(),
  /** An event subprocess. */
  triggeredByEvent: z.boolean().optional(),
  /** A BPMN compensation handler (Ameide compensates through service bindings instead). */
  isForCompensation: z.boolean().optional(),
  /** A script task in a language other than FEEL. */
  scriptFormat: z.string().optional(),
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
    parentId: z.string().optional(),
    data,
  });
}

export const nodeSchema = z.discriminatedUnion('type', [
  node('startEvent', startEventData.default({})),
  node('endEvent', endEventData.default({})),
  node('serviceTask', z.strictObject({ ...documented, binding: serviceBindingSchema.optional() }).default({})),
  node('userTask', z.strictObject({ ...documented, binding: userTaskBindingSchema.optional() }).default({})),
  node('agentTask', z.strictObject({ ...documented, binding: agentBindingSchema.optional() }).default({})),
  node(
    'scriptTask',
    z.strictObject({
      ...documented,
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
  node('intermediateMessageEvent', z.strictObject({ ...documented, message: messageSubscriptionSchema })),
  node('boundaryEvent', boundaryEventData),
  node('subProcess', plain.default({})),
  node('callActivity', z.strictObject({ ...documented, binding: callBindingSchema.optional() }).default({})),
  node('textAnnotation', z.strictObject({ text: z.string() })),
  node('unsupported', unsupportedData),
]);

export const edgeSchema = z.object({
  id: elementId,
  source: z.string(),
  target: z.string(),
  data: z
    .strictObject({
      name: z.string().optional(),
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
  description: z.string().optional(),
});

export const laneSchema = z.strictObject({
  id: elementId,
  name: z.string().optional(),
  /** Ids of the top-level nodes in this lane. */
  nodeIds: z.array(z.string()),
  position: positionSchema,
  width: z.number().positive(),
  height: z.number().positive(),
});

export const participantSchema = z.strictObject({
  id: elementId,
  name: z.string().optional(),
  position: positionSchema,
  width: z.number().positive(),
  height: z.number().positive(),
});

export const processDefinitionSchema = z.object({
  schemaVersion: z.literal(1),
  /** Process id; other definitions call it by this name. */
  id: elementId,
  name: z.string().optional(),
  documentation: z.string().optional(),
  variables: z.array(variableSchema).default([]),
  /** The pool drawn around the process, if any. */
  participant: participantSchema.optional(),
  lanes: z.array(laneSchema).default([]),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
});

export type Position = z.infer<typeof positionSchema>;
export type TimerDefinition = z.infer<typeof timerSchema>;
export type MessageSubscription = z.infer<typeof messageSubscriptionSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type ServiceBinding = z.infer<typeof serviceBindingSchema>;
export type UserTaskBinding = z.infer<typeof userTaskBindingSchema>;
export type AgentBinding = z.infer<typeof agentBindingSchema>;
export type CallBinding = z.infer<typeof callBindingSchema>;
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
  'userTask',
  'agentTask',
  'scriptTask',
  'subProcess',
  'callActivity',
]);

export const GATEWAY_TYPES: ReadonlySet<ProcessNodeType> = new Set([
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
]);
