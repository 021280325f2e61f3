import { AmeideError, ErrorCode } from '@ameide/errors';
import type { AgentRuntimeConfig } from '@ameide/agent-definition';
import type { AgentChatModel } from './agent-chat-model.js';
import { LocalChatModel } from './local-chat-model.js';
import { OpenAiChatModel } from './openai-chat-model.js';
import { ScriptedChatModel, scriptedTurnSchema } from './scripted-chat-model.js';

export interface ModelFactoryOptions {
  /** OpenAI-compatible endpoint: default `AMEIDE_OPENAI_BASE_URL` / `OPENAI_BASE_URL`, key `AMEIDE_OPENAI_API_KEY` / `OPENAI_API_KEY`. */
  readonly openai?: { readonly baseUrl?: string; readonly apiKey?: string };
  /** The embedded model's GGUF (default: see `defaultLocalModelPath`). */
  readonly localModelPath?: string;
  /** Replaces a config's model, whatever its provider (tests, `ameide agent run --model scripted`). */
  readonly override?: (config: AgentRuntimeConfig) => AgentChatModel | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

/** The chat model a config names: scripted (its script), an OpenAI-compatible endpoint, or the embedded SmolLM2. */
export function createModelFactory(options: ModelFactoryOptions = {}) {
  const env = options.env ?? process.env;
  return (config: AgentRuntimeConfig): AgentChatModel => {
    const o = options.override?.(config);
    if (o) return o;
    const m = config.model;
    switch (m.provider) {
      case 'scripted': {
        const script = (m.script ?? []).map((t, i) => {
          const r = scriptedTurnSchema.safeParse(t);
          if (!r.success)
            throw AmeideError.invalidArgument(
              `model.parameters.script.${i}: ${r.error.issues[0]?.message ?? 'invalid'}`,
              [
                {
                  field: `model.parameters.script.${i}`,
                  description: 'a {toolCalls}, {answer} or {malformed} reply',
                },
              ],
            );
          return r.data;
        });
        return new ScriptedChatModel(script);
      }
      case 'openai': {
        const baseUrl =
          options.openai?.baseUrl ?? env['AMEIDE_OPENAI_BASE_URL'] ?? env['OPENAI_BASE_URL'];
        const apiKey =
          options.openai?.apiKey ?? env['AMEIDE_OPENAI_API_KEY'] ?? env['OPENAI_API_KEY'];
        if (!baseUrl || !apiKey)
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `agent ${config.name} uses an OpenAI-compatible model: set AMEIDE_OPENAI_BASE_URL and AMEIDE_OPENAI_API_KEY (or OPENAI_BASE_URL / OPENAI_API_KEY)`,
            { reason: 'MODEL_ENDPOINT_MISSING', domain: 'ameide.agents' },
          );
        return new OpenAiChatModel({
          baseUrl,
          apiKey,
          model: m.name,
          temperature: m.temperature,
          maxTokens: m.maxTokens,
        });
      }
      case 'local':
        return new LocalChatModel({
          ...(options.localModelPath ? { modelPath: options.localModelPath } : {}),
          temperature: m.temperature,
          maxTokens: m.maxTokens,
        });
    }
  };
}
