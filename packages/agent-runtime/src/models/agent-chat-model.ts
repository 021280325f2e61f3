import {
  BaseChatModel,
  type BaseChatModelCallOptions,
} from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import { AIMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { CompiledTool } from '@ameide/agent-definition';

/** Call options every Ameide chat model takes: the tools of the run (with their schemas). */
export interface AgentModelCallOptions extends BaseChatModelCallOptions {
  readonly agentTools?: readonly CompiledTool[];
}

/** What a model produced in one turn, before it becomes an AIMessage. */
export type ModelTurn =
  | {
      readonly kind: 'tool_calls';
      readonly calls: readonly { readonly name: string; readonly args: unknown }[];
      readonly text?: string;
    }
  | { readonly kind: 'answer'; readonly text: string }
  /** Output that should have been a tool call but does not parse as one. */
  | { readonly kind: 'malformed'; readonly raw: string; readonly error: string };

/** Token counts of one model call. */
export interface TurnUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

let callSeq = 0;

// core's message field types infer `never` for usage under exactOptionalPropertyTypes.
type AiFields = ConstructorParameters<typeof AIMessage>[0];

/**
 * The one model interface of the agent runtime: a LangChain chat model (so it plugs into
 * LangGraph like any other) whose subclasses produce a {@link ModelTurn}. Tool calls come back
 * as the AIMessage's `tool_calls`, output that does not parse as `invalid_tool_calls`, and token
 * counts as `usage_metadata`.
 */
export abstract class AgentChatModel extends BaseChatModel<AgentModelCallOptions> {
  /** Produces one turn for the conversation so far. */
  protected abstract turn(
    messages: BaseMessage[],
    tools: readonly CompiledTool[],
    signal: AbortSignal | undefined,
  ): Promise<{ turn: ModelTurn; usage: TurnUsage }>;

  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
  ): Promise<ChatResult> {
    const { turn, usage } = await this.turn(messages, options.agentTools ?? [], options.signal);
    const usage_metadata = {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    };
    let message: AIMessage;
    if (turn.kind === 'answer') {
      message = new AIMessage({ content: turn.text, usage_metadata } as AiFields);
    } else if (turn.kind === 'tool_calls') {
      message = new AIMessage({
        content: turn.text ?? '',
        tool_calls: turn.calls.map((c) => ({
          id: `call_${++callSeq}`,
          name: c.name,
          args: (c.args ?? {}) as Record<string, unknown>,
          type: 'tool_call' as const,
        })),
        usage_metadata,
      } as AiFields);
    } else {
      message = new AIMessage({
        content: turn.raw,
        invalid_tool_calls: [
          { id: `call_${++callSeq}`, args: turn.raw, error: turn.error, type: 'invalid_tool_call' },
        ],
        usage_metadata,
      } as AiFields);
    }
    return {
      generations: [{ text: typeof message.content === 'string' ? message.content : '', message }],
    };
  }
}

/** A rough token count for models that report none (4 characters a token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text of a message's content. */
export function contentText(message: BaseMessage): string {
  const c = message.content;
  if (typeof c === 'string') return c;
  return c
    .map((part) => ('text' in part && typeof part.text === 'string' ? part.text : ''))
    .join('');
}
