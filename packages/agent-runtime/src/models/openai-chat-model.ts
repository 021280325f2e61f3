import type { BaseMessage } from '@langchain/core/messages';
import OpenAI from 'openai';
import type { CompiledTool } from '@ameide/agent-definition';
import {
  AgentChatModel,
  contentText,
  estimateTokens,
  type ModelTurn,
  type TurnUsage,
} from './agent-chat-model.js';

/** Where an OpenAI-compatible endpoint is and how to call it. */
export interface OpenAiModelOptions {
  /** e.g. `https://api.openai.com/v1`, or a local server's `/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * Any OpenAI-compatible chat completions endpoint (the `openai` SDK with a base URL): tools are
 * sent as functions with the compiled argument schemas; arguments that do not parse as JSON
 * come back as a malformed turn (the runtime retries it, bounded).
 */
export class OpenAiChatModel extends AgentChatModel {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiModelOptions) {
    super({});
    this.client = new OpenAI({ baseURL: options.baseUrl, apiKey: options.apiKey, maxRetries: 1 });
  }

  override _llmType(): string {
    return 'ameide-openai';
  }

  protected override async turn(
    messages: BaseMessage[],
    tools: readonly CompiledTool[],
    signal: AbortSignal | undefined,
  ): Promise<{ turn: ModelTurn; usage: TurnUsage }> {
    const res = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages: messages.map(toOpenAi),
        ...(tools.length
          ? {
              tools: tools.map((t) => ({
                type: 'function' as const,
                function: {
                  name: t.name,
                  description: t.description,
                  parameters: t.parameters as Record<string, unknown>,
                },
              })),
            }
          : {}),
        ...(this.options.temperature !== undefined
          ? { temperature: this.options.temperature }
          : {}),
        ...(this.options.maxTokens !== undefined ? { max_tokens: this.options.maxTokens } : {}),
      },
      signal ? { signal } : {},
    );
    const choice = res.choices[0]?.message;
    const usage = {
      inputTokens: res.usage?.prompt_tokens ?? estimateTokens(messages.map(contentText).join('\n')),
      outputTokens: res.usage?.completion_tokens ?? estimateTokens(choice?.content ?? ''),
    };
    const calls = (choice?.tool_calls ?? []).filter((c) => c.type === 'function');
    if (calls.length === 0) return { turn: { kind: 'answer', text: choice?.content ?? '' }, usage };
    const parsed: { name: string; args: unknown }[] = [];
    for (const c of calls) {
      try {
        parsed.push({ name: c.function.name, args: JSON.parse(c.function.arguments || '{}') });
      } catch (err) {
        return {
          turn: {
            kind: 'malformed',
            raw: c.function.arguments,
            error: `arguments are not JSON: ${(err as Error).message}`,
          },
          usage,
        };
      }
    }
    return {
      turn: {
        kind: 'tool_calls',
        calls: parsed,
        ...(choice?.content ? { text: choice.content } : {}),
      },
      usage,
    };
  }
}

function toOpenAi(m: BaseMessage): ChatMessage {
  const text = contentText(m);
  switch (m.getType()) {
    case 'system':
      return { role: 'system', content: text };
    case 'ai': {
      const calls =
        (m as { tool_calls?: { id?: string; name: string; args: unknown }[] }).tool_calls ?? [];
      return calls.length
        ? {
            role: 'assistant',
            content: text || null,
            tool_calls: calls.map((c) => ({
              id: c.id ?? c.name,
              type: 'function' as const,
              function: { name: c.name, arguments: JSON.stringify(c.args) },
            })),
          }
        : { role: 'assistant', content: text };
    }
    case 'tool':
      return {
        role: 'tool',
        content: text,
        tool_call_id: (m as { tool_call_id?: string }).tool_call_id ?? '',
      };
    default:
      return { role: 'user', content: text };
  }
}
