import { z } from 'zod';

/** What a tool may do, as the definition declares it. */
export const RiskTier = {
  /** Runs directly: the method must be declared NO_SIDE_EFFECTS in its proto. */
  Read: 'read',
  /** Never calls the domain: records a Proposal that a review process applies. */
  Propose: 'propose',
  /** Calls a mutating method directly; only when the definition's policy allows it, and logged. */
  Act: 'act',
} as const;
export type RiskTier = (typeof RiskTier)[keyof typeof RiskTier];

/** Model providers the runtime knows. */
export const ModelProvider = {
  /** A fixed script of replies (tests, demos without a model). */
  Scripted: 'scripted',
  /** Any OpenAI-compatible chat completions endpoint. */
  OpenAi: 'openai',
  /** The embedded SmolLM2 model, in process (node-llama-cpp). */
  Local: 'local',
} as const;
export type ModelProvider = (typeof ModelProvider)[keyof typeof ModelProvider];

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, starting with a letter');

const toolName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and underscores (snake_case)');

const rpcName = z
  .string()
  .regex(/^[a-z][a-z0-9_.]*\.[A-Z][A-Za-z0-9]*\/[A-Z][A-Za-z0-9]*$/, 'package.Service/Method');

/** Extra bounds on one argument (a proto JSON field path like `customerId` or `amount.currency`). */
const argumentConstraint = z.strictObject({
  /** A fixed value: the model may not choose it. */
  const: z.union([z.string(), z.number(), z.boolean()]).optional(),
  enum: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  pattern: z.string().max(500).optional(),
  maxLength: z.number().int().min(1).max(4096).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  /** The model must give this argument (proto3 fields are otherwise optional). */
  required: z.boolean().optional(),
});

const tool = z.strictObject({
  /** The name the model calls the tool by. */
  name: toolName,
  /** The proto method the tool maps to (`package.Service/Method`). */
  rpc: rpcName,
  risk: z.enum([RiskTier.Read, RiskTier.Propose, RiskTier.Act]),
  description: z.string().min(1).max(1000).optional(),
  /** Bounds on arguments, by proto JSON field path. */
  constraints: z.record(z.string().max(200), argumentConstraint).default({}),
});

const graphNode = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'snake_case'),
  /** `model`: a model call; `tools`: runs the tool calls the model asked for; `answer`: the end. */
  type: z.enum(['model', 'tools', 'answer']),
  /** Extra instructions for this model step (e.g. "make a plan", "reflect"). */
  instructions: z.string().max(4000).optional(),
});

const graphEdge = z.strictObject({
  from: z.string(),
  to: z.string(),
  /** `tool_calls`: taken when the model asked for tools; `answer`: when it answered; none: always. */
  when: z.enum(['tool_calls', 'answer']).optional(),
});

const graph = z.discriminatedUnion('kind', [
  /** One model node and the tools node in a loop (ReAct). */
  z.strictObject({ kind: z.literal('react') }),
  /** An explicit plan (e.g. plan → tool calls → reflect → answer). */
  z.strictObject({
    kind: z.literal('graph'),
    entry: z.string(),
    nodes: z.array(graphNode).min(1).max(32),
    edges: z.array(graphEdge).max(128),
  }),
]);

export const agentDefinitionSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** Unique per tenant; callers and agentTask nodes name the agent by it. */
  name: identifier,
  description: z.string().max(2000).optional(),
  model: z.strictObject({
    provider: z.enum([ModelProvider.Scripted, ModelProvider.OpenAi, ModelProvider.Local]),
    /** The provider's model name (e.g. `smollm2-135m-instruct`, `gpt-4o-mini`). */
    name: z.string().min(1).max(200),
    parameters: z
      .strictObject({
        temperature: z.number().min(0).max(2).optional(),
        maxTokens: z.number().int().min(1).max(32_768).optional(),
        /** Replies of the scripted provider, in order. */
        script: z.array(z.unknown()).max(200).optional(),
      })
      .default({}),
  }),
  systemPrompt: z.string().min(1).max(16_000),
  tools: z.array(tool).max(64).default([]),
  graph: graph.default({ kind: 'react' }),
  /** What the agent may read: proto services (`package.Service`); a read tool outside is refused. */
  scope: z.strictObject({ services: z.array(z.string().max(200)).min(1) }),
  policy: z
    .strictObject({
      /** Whether `act` tools may run at all (they are logged when they do). */
      allowAct: z.boolean().default(false),
      /** Who decides proposals in the review process (a group of the tenant). */
      approverGroup: z.string().min(1).max(200).default('approvers'),
    })
    .default({ allowAct: false, approverGroup: 'approvers' }),
  limits: z
    .strictObject({
      maxSteps: z.number().int().min(1).optional(),
      maxToolCalls: z.number().int().min(0).optional(),
      tokenBudget: z.number().int().min(1).optional(),
      timeoutMs: z.number().int().min(1).optional(),
      /** Malformed tool calls answered with the error before the run fails. */
      maxMalformedRetries: z.number().int().min(0).max(5).default(2),
    })
    .default({ maxMalformedRetries: 2 }),
});

/** A validated AgentDefinition. */
export type AgentDefinition = z.infer<typeof agentDefinitionSchema>;
/** What an author writes (defaults may be omitted). */
export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>;
export type AgentTool = AgentDefinition['tools'][number];
export type AgentGraph = AgentDefinition['graph'];
export type ArgumentConstraint = AgentTool['constraints'][string];

/** Upper bounds this platform allows for limits (the tenant policy). */
export const AGENT_POLICY = {
  maxSteps: 50,
  maxToolCalls: 100,
  tokenBudget: 200_000,
  timeoutMs: 10 * 60_000,
} as const;
