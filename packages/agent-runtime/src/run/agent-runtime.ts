import { randomUUID } from 'node:crypto';
import {
  AIMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  type BaseMessage,
} from '@langchain/core/messages';
// Types only (erased): LangGraph is imported when the first run builds its graph, since
// loading it costs a start ≈0.8 s and ≈70 MB that a platform running no agent never needs.
import type * as LangGraph from '@langchain/langgraph';
import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { RequestContext } from '@ameide/context';
import type { AgentRuntimeConfig, GraphNode } from '@ameide/agent-definition';
import { contentText, type AgentChatModel } from '../models/agent-chat-model.js';
import { createToolExecutor, type ProposalSink } from '../tools/tool-executor.js';
import type { ToolHost } from '../tools/tool-host.js';
import {
  AgentRunStatus,
  type AgentRunEvent,
  type AgentRunResult,
  type ToolCallRecord,
} from './run-types.js';

/** What one run needs. */
export interface AgentRunRequest {
  /** The published version's pinned config, and its number and hash. */
  readonly config: AgentRuntimeConfig;
  readonly version: number;
  readonly configHash: string;
  /** Whose run it is: every tool call carries this tenant, user and trace. */
  readonly caller: RequestContext;
  /** The task, as the first user message. */
  readonly input: string;
  readonly runId?: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: AgentRunEvent) => void;
}

export interface AgentRuntimeOptions {
  readonly host: ToolHost;
  readonly proposals: ProposalSink;
  /** The chat model for a config (see `createModelFactory`). */
  readonly models: (config: AgentRuntimeConfig) => AgentChatModel | Promise<AgentChatModel>;
  /** `act` calls and finished runs are logged here. */
  readonly log?: (line: Record<string, unknown>) => void;
  /** Spans per run, model call and tool call (default: the global tracer provider's). */
  readonly tracer?: Tracer;
}

/** Executes published AgentDefinitions. Holds no state between runs. */
export interface AgentRuntime {
  run(request: AgentRunRequest): Promise<AgentRunResult>;
}

class StopRun extends Error {
  constructor(
    readonly status: AgentRunStatus,
    message: string,
  ) {
    super(message);
  }
}

const defaultTracer = trace.getTracer('@ameide/agent-runtime');

async function spanIn<T>(
  tracer: Tracer,
  name: string,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The state of a run's graph: its messages. */
type GraphState = typeof LangGraph.MessagesAnnotation.State;

let langGraph: Promise<typeof LangGraph> | undefined;
/** LangGraph, imported once per process on first use. */
function loadLangGraph(): Promise<typeof LangGraph> {
  langGraph ??= import('@langchain/langgraph').catch((err: unknown) => {
    langGraph = undefined;
    throw err;
  });
  return langGraph;
}

/**
 * The Agent primitive's executor: builds the definition's graph as a LangGraph StateGraph
 * (model nodes, a tools node, answer nodes) and runs it within its limits. Each model call,
 * tool call and step is an OTel span; `read` tools call the method as the caller, `propose`
 * tools record a Proposal, `act` tools run only when the policy allows them and are logged.
 * Malformed tool calls are answered with the error and retried up to
 * `limits.maxMalformedRetries` times, then the run fails. Whatever happens, `run` resolves
 * with the audit record and a status; it never throws.
 */
export function createAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  return {
    run: (request) => runOnce(options, request),
  };
}

async function runOnce(
  options: AgentRuntimeOptions,
  request: AgentRunRequest,
): Promise<AgentRunResult> {
  const { config, caller } = request;
  const runId = request.runId ?? randomUUID();
  const startedAt = new Date().toISOString();
  const limits = config.limits;
  const emit = (e: AgentRunEvent) => {
    try {
      request.onEvent?.(e);
    } catch {
      // A listener's failure is not the run's.
    }
  };
  const counters = { steps: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0 };
  const toolCalls: ToolCallRecord[] = [];
  const proposals: string[] = [];
  let answer = '';

  const timeout = new AbortController();
  const timer = setTimeout(
    () =>
      timeout.abort(
        new StopRun(
          AgentRunStatus.Timeout,
          `the run took longer than its ${limits.timeoutMs} ms timeout`,
        ),
      ),
    limits.timeoutMs,
  );
  const signal = request.signal
    ? AbortSignal.any([request.signal, timeout.signal])
    : timeout.signal;

  const finish = (status: AgentRunStatus, message: string): AgentRunResult => {
    clearTimeout(timer);
    emit({ type: 'status', status, message });
    const result: AgentRunResult = {
      runId,
      agent: config.name,
      version: request.version,
      configHash: request.configHash,
      tenantId: caller.tenantId,
      userId: caller.userId,
      traceId: caller.traceId,
      status,
      message,
      answer,
      steps: counters.steps,
      toolCalls,
      proposals,
      usage: { inputTokens: counters.inputTokens, outputTokens: counters.outputTokens },
      startedAt,
      endedAt: new Date().toISOString(),
    };
    options.log?.({
      msg: 'agent run ended',
      runId,
      agent: config.name,
      status,
      steps: counters.steps,
      toolCalls: toolCalls.length,
    });
    return result;
  };

  const tracer = options.tracer ?? defaultTracer;
  const inSpan = <T>(
    name: string,
    attributes: Record<string, string | number>,
    fn: (span: Span) => Promise<T>,
  ) => spanIn(tracer, name, attributes, fn);

  return inSpan(
    'agent.run',
    {
      'ameide.agent': config.name,
      'ameide.agent.version': request.version,
      'ameide.run_id': runId,
      'ameide.tenant_id': caller.tenantId,
    },
    async (runSpan) => {
      let model: AgentChatModel;
      try {
        model = await options.models(config);
      } catch (err) {
        return finish(AgentRunStatus.Failed, `the model cannot run: ${(err as Error).message}`);
      }
      const executor = createToolExecutor({
        config,
        agentVersion: request.version,
        host: options.host,
        proposals: options.proposals,
        caller,
        runId,
        signal,
        onAct: (tool, args) =>
          options.log?.({
            msg: 'agent act tool',
            runId,
            agent: config.name,
            tool: tool.name,
            rpc: tool.rpc,
            arguments: args,
            tenantId: caller.tenantId,
            userId: caller.userId,
          }),
      });
      const system = new SystemMessage(config.systemPrompt);

      const modelNode = (node: GraphNode) => async (state: GraphState) => {
        const added: BaseMessage[] = [];
        for (let attempt = 0; ; attempt++) {
          if (counters.steps >= limits.maxSteps)
            throw new StopRun(
              AgentRunStatus.MaxSteps,
              `the run reached its limit of ${limits.maxSteps} steps`,
            );
          const step = ++counters.steps;
          emit({ type: 'step', step, node: node.id });
          const prompt = [
            system,
            ...state.messages,
            ...added,
            ...(node.instructions ? [new SystemMessage(node.instructions)] : []),
          ];
          const reply = await inSpan(
            'agent.model',
            { 'ameide.step': step, 'ameide.node': node.id, 'ameide.model': config.model.name },
            async (span) => {
              const r = (await model.invoke(prompt, {
                agentTools: config.tools,
                signal,
              })) as AIMessage;
              const u = (
                r as unknown as {
                  usage_metadata?: { input_tokens?: number; output_tokens?: number };
                }
              ).usage_metadata;
              counters.inputTokens += u?.input_tokens ?? 0;
              counters.outputTokens += u?.output_tokens ?? 0;
              span.setAttribute('ameide.tokens.input', u?.input_tokens ?? 0);
              span.setAttribute('ameide.tokens.output', u?.output_tokens ?? 0);
              return r;
            },
          );
          if (counters.inputTokens + counters.outputTokens > limits.tokenBudget)
            throw new StopRun(
              AgentRunStatus.TokenBudget,
              `the run used ${counters.inputTokens + counters.outputTokens} tokens, over its budget of ${limits.tokenBudget}`,
            );
          const problem = malformed(reply, executor.check);
          if (!problem) {
            const text = contentText(reply);
            if (!reply.tool_calls?.length && text) emit({ type: 'token', text });
            return { messages: [...added, reply] };
          }
          emit({ type: 'malformed', step, attempt: attempt + 1, error: problem });
          for (const c of reply.tool_calls ?? [])
            toolCalls.push({
              step,
              callId: c.id ?? '',
              tool: c.name,
              rpc: config.tools.find((t) => t.name === c.name)?.rpc ?? '',
              risk: config.tools.find((t) => t.name === c.name)?.risk ?? 'read',
              arguments: c.args,
              outcome: 'malformed',
              error: problem,
            });
          if (attempt >= limits.maxMalformedRetries)
            throw new StopRun(
              AgentRunStatus.Failed,
              `the model emitted malformed tool calls ${attempt + 1} times (limit ${limits.maxMalformedRetries} retries): ${problem}`,
            );
          added.push(new AIMessage(contentText(reply) || JSON.stringify(reply.tool_calls ?? [])));
          added.push(
            new HumanMessage(
              `That was not a valid tool call: ${problem}. Call one of the tools with arguments that match its schema, or answer.`,
            ),
          );
        }
      };

      const toolsNode = async (state: GraphState) => {
        const last = state.messages.at(-1);
        const calls = last instanceof AIMessage ? (last.tool_calls ?? []) : [];
        const rationale = last ? contentText(last) : '';
        const out: ToolMessage[] = [];
        for (const c of calls) {
          if (counters.toolCalls >= limits.maxToolCalls)
            throw new StopRun(
              AgentRunStatus.MaxToolCalls,
              `the run reached its limit of ${limits.maxToolCalls} tool calls`,
            );
          counters.toolCalls++;
          const tool = config.tools.find((t) => t.name === c.name)!;
          const callId = c.id ?? `call_${counters.toolCalls}`;
          const outcome = await inSpan(
            'agent.tool',
            { 'ameide.tool': tool.name, 'rpc.method': tool.rpc, 'ameide.risk': tool.risk },
            () =>
              executor.execute(
                { id: callId, name: c.name, args: c.args },
                rationale || `proposed by agent ${config.name} in run ${runId}`,
              ),
          );
          const record: ToolCallRecord = {
            step: counters.steps,
            callId,
            tool: tool.name,
            rpc: tool.rpc,
            risk: tool.risk,
            arguments: c.args,
            outcome: outcome.kind,
            ...(outcome.kind === 'proposed' ? { proposalId: outcome.proposalId } : {}),
            ...(outcome.kind === 'error'
              ? { errorCode: outcome.code, error: outcome.message }
              : {}),
            ...(outcome.kind === 'malformed' ? { error: outcome.error } : {}),
          };
          toolCalls.push(record);
          emit({ type: 'tool_call', record });
          if (outcome.kind === 'proposed') {
            proposals.push(outcome.proposalId);
            emit({
              type: 'proposal',
              proposalId: outcome.proposalId,
              tool: tool.name,
              rpc: tool.rpc,
            });
          }
          const content =
            outcome.kind === 'result'
              ? outcome.content
              : outcome.kind === 'proposed'
                ? {
                    proposalId: outcome.proposalId,
                    status: 'pending_review',
                    note: 'a person reviews this proposal; nothing has changed yet',
                  }
                : outcome.kind === 'error'
                  ? { error: { code: outcome.code, message: outcome.message } }
                  : { error: { code: 'invalid_argument', message: outcome.error } };
          out.push(
            new ToolMessage({
              content: JSON.stringify(content),
              tool_call_id: callId,
              name: tool.name,
            }),
          );
        }
        return { messages: out };
      };

      // The graph, as LangGraph nodes and edges.
      const { END, isNodeError, MessagesAnnotation, START, StateGraph } = await loadLangGraph();
      const builder = new StateGraph(MessagesAnnotation);
      const g = config.graph;
      const answers = new Set(g.nodes.filter((n) => n.type === 'answer').map((n) => n.id));
      for (const n of g.nodes) {
        if (n.type === 'model') builder.addNode(n.id, modelNode(n));
        else if (n.type === 'tools') builder.addNode(n.id, toolsNode);
        else builder.addNode(n.id, () => ({ messages: [] }));
      }
      const target = (id: string) => (answers.has(id) ? id : id);
      (builder as unknown as { addEdge(a: string, b: string): void }).addEdge(START, g.entry);
      for (const n of g.nodes) {
        const out = g.edges.filter((e) => e.from === n.id);
        const b = builder as unknown as {
          addEdge(a: string, b: string): void;
          addConditionalEdges(a: string, f: (s: GraphState) => string): void;
        };
        if (n.type === 'answer' || out.length === 0) {
          b.addEdge(n.id, END);
        } else if (out.some((e) => e.when)) {
          b.addConditionalEdges(n.id, (s) => {
            const last = s.messages.at(-1);
            const asked = last instanceof AIMessage && (last.tool_calls?.length ?? 0) > 0;
            const pick =
              out.find((e) => e.when === (asked ? 'tool_calls' : 'answer')) ??
              out.find((e) => !e.when);
            return pick ? target(pick.to) : END;
          });
        } else {
          b.addEdge(n.id, target(out[0]!.to));
        }
      }
      const graph = builder.compile();

      try {
        const final = await graph.invoke(
          { messages: [new HumanMessage(request.input)] },
          { signal, recursionLimit: limits.maxSteps * 3 + g.nodes.length + 5 },
        );
        const lastAi = [...final.messages].reverse().find((m) => m instanceof AIMessage);
        answer = lastAi ? contentText(lastAi) : '';
        runSpan.setAttribute('ameide.run.status', AgentRunStatus.Completed);
        return finish(AgentRunStatus.Completed, '');
      } catch (raw) {
        const err = isNodeError(raw) ? raw.error : raw;
        const stop =
          err instanceof StopRun
            ? err
            : timeout.signal.aborted
              ? (timeout.signal.reason as StopRun)
              : request.signal?.aborted
                ? new StopRun(AgentRunStatus.Cancelled, 'the caller cancelled the run')
                : new StopRun(
                    AgentRunStatus.Failed,
                    `the run failed: ${(err as Error)?.message ?? String(err)}`,
                  );
        runSpan.setAttribute('ameide.run.status', stop.status);
        return finish(stop.status, stop.message);
      }
    },
  );
}

/** Why a model reply is not a usable turn, or undefined. */
function malformed(
  reply: AIMessage,
  check: (call: { name: string; args: unknown }) => string | undefined,
): string | undefined {
  const invalid = reply.invalid_tool_calls ?? [];
  if (invalid.length) return invalid[0]!.error ?? 'the tool call does not parse';
  for (const c of reply.tool_calls ?? []) {
    const why = check(c);
    if (why) return why;
  }
  return undefined;
}
