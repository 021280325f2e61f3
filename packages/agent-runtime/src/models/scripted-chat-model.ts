import type { BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';
import type { CompiledTool } from '@ameide/agent-definition';
import {
  AgentChatModel,
  contentText,
  estimateTokens,
  type ModelTurn,
  type TurnUsage,
} from './agent-chat-model.js';

/** One reply of a scripted model, as JSON (a definition's `model.parameters.script`). */
export const scriptedTurnSchema = z.union([
  z.strictObject({
    toolCalls: z.array(z.strictObject({ name: z.string(), args: z.unknown() })).min(1),
    text: z.string().optional(),
  }),
  z.strictObject({ answer: z.string() }),
  /** Text that does not parse as a tool call. */
  z.strictObject({ malformed: z.string() }),
]);
export type ScriptedTurn = z.infer<typeof scriptedTurnSchema>;

/** A reply computed from the conversation so far (tests); it may wait, until the run's signal aborts. */
export type ScriptedReply =
  | ScriptedTurn
  | ((
      messages: readonly BaseMessage[],
      signal: AbortSignal | undefined,
    ) => ScriptedTurn | Promise<ScriptedTurn>);

/**
 * The deterministic model: replies from a script, in order; token counts estimated from the
 * text (4 characters a token), so token budgets behave as with a real model. A script that
 * runs out fails the call.
 */
export class ScriptedChatModel extends AgentChatModel {
  private next = 0;

  constructor(private readonly script: readonly ScriptedReply[]) {
    super({});
  }

  override _llmType(): string {
    return 'ameide-scripted';
  }

  protected override async turn(
    messages: BaseMessage[],
    _tools: readonly CompiledTool[],
    signal: AbortSignal | undefined,
  ): Promise<{ turn: ModelTurn; usage: TurnUsage }> {
    const entry = this.script[this.next++];
    if (entry === undefined)
      throw new Error(
        `the scripted model has no reply ${this.next} (its script has ${this.script.length})`,
      );
    const reply = typeof entry === 'function' ? await entry(messages, signal) : entry;
    const turn: ModelTurn =
      'answer' in reply
        ? { kind: 'answer', text: reply.answer }
        : 'malformed' in reply
          ? { kind: 'malformed', raw: reply.malformed, error: 'not a tool call' }
          : {
              kind: 'tool_calls',
              calls: reply.toolCalls,
              ...(reply.text ? { text: reply.text } : {}),
            };
    const input = messages.map(contentText).join('\n');
    return {
      turn,
      usage: {
        inputTokens: estimateTokens(input),
        outputTokens: estimateTokens(JSON.stringify(reply)),
      },
    };
  }
}
