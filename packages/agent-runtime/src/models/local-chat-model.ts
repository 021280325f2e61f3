import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BaseMessage } from '@langchain/core/messages';
// Types only (erased): the module itself is imported when a local model first runs, so a
// plain install without the optional dependency still loads this file.
import type * as LlamaCpp from 'node-llama-cpp';
import type {
  ChatHistoryItem as HistoryItem,
  Llama,
  LlamaContext,
  LlamaModel,
} from 'node-llama-cpp';
import { AmeideError, ErrorCode } from '@ameide/errors';
import type { CompiledTool } from '@ameide/agent-definition';
import { AgentChatModel, contentText, type ModelTurn, type TurnUsage } from './agent-chat-model.js';
import { idsIn, parseTurn, turnSchema } from './turn-schema.js';

/** Most ids a turn's grammar offers (the latest ones of the conversation). */
const MAX_GROUNDED_IDS = 32;

/** The wheel release whose GGUF `scripts/ensure-smollm2.mjs` installs. */
export const SMOLLM2_WHEEL_VERSION = '0.1.2';
const GGUF_NAME = 'SmolLM2-135M-Instruct.Q4_1.gguf';

/** Where the embedded model is looked for: `AMEIDE_SMOLLM2_GGUF`, else the setup script's cache. */
export function defaultLocalModelPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['AMEIDE_SMOLLM2_GGUF']) return env['AMEIDE_SMOLLM2_GGUF'];
  const cache = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'ameide', `smollm2-${SMOLLM2_WHEEL_VERSION}`, GGUF_NAME);
}

/** Why the embedded model cannot run here, or undefined when it can. */
export function localModelUnavailable(
  modelPath = defaultLocalModelPath(),
): Promise<string | undefined> {
  return Promise.resolve(whyModelCannotRun(modelPath));
}

function whyModelCannotRun(modelPath: string): string | undefined {
  // Resolved, not imported: loading the library costs ≈0.5 s and its memory, which a start
  // that only asks whether the model could run should not pay; the first turn imports it.
  try {
    import.meta.resolve('node-llama-cpp');
  } catch {
    return 'node-llama-cpp is not installed (it is an optional dependency): run `npm install -E node-llama-cpp@3.21.1 -w @ameide/agent-runtime`, then `node scripts/ensure-smollm2.mjs`';
  }
  if (!existsSync(modelPath))
    return `the SmolLM2 model is not at ${modelPath}: run \`node scripts/ensure-smollm2.mjs\` (or set AMEIDE_SMOLLM2_GGUF)`;
  return undefined;
}

interface Loaded {
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly mod: typeof LlamaCpp;
  readonly loadMs: number;
}

// One loaded model per file per process; turns take the context one at a time.
const loaded = new Map<string, Promise<Loaded>>();
let queue: Promise<unknown> = Promise.resolve();

async function load(modelPath: string): Promise<Loaded> {
  const why = await localModelUnavailable(modelPath);
  if (why)
    throw new AmeideError(
      ErrorCode.FailedPrecondition,
      `the embedded agent model cannot run: ${why}`,
      {
        reason: 'LOCAL_MODEL_MISSING',
        domain: 'ameide.agents',
      },
    );
  let p = loaded.get(modelPath);
  if (!p) {
    p = (async () => {
      const started = performance.now();
      const mod = await import('node-llama-cpp').catch((err: unknown) => {
        throw new AmeideError(
          ErrorCode.FailedPrecondition,
          `the embedded agent model cannot run: node-llama-cpp is installed but does not load (${err instanceof Error ? err.message : String(err)})`,
          { reason: 'LOCAL_MODEL_MISSING', domain: 'ameide.agents' },
        );
      });
      const llama = await mod.getLlama({
        gpu: false,
        build: 'never',
        logLevel: mod.LlamaLogLevel.error,
      });
      const model = await llama.loadModel({ modelPath });
      // llama.cpp's default (every hardware thread) oversubscribes a small, shared machine: the
      // threads spin against each other and a turn that takes a second can take minutes.
      const threads =
        Number(process.env['AMEIDE_LLM_THREADS']) ||
        Math.max(1, Math.min(4, llama.cpuMathCores - 1));
      const context = await model.createContext({ contextSize: 4096, threads });
      return { llama, model, context, mod, loadMs: performance.now() - started };
    })();
    p.catch(() => loaded.delete(modelPath));
    loaded.set(modelPath, p);
  }
  return p;
}

/** Loads the embedded model now (ameide dev at start-up, benchmarks); answers the load time. */
export async function preloadLocalModel(
  modelPath = defaultLocalModelPath(),
): Promise<{ loadMs: number }> {
  const l = await load(modelPath);
  return { loadMs: l.loadMs };
}

export interface LocalModelOptions {
  readonly modelPath?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

/**
 * The embedded default: SmolLM2-135M-Instruct in process through node-llama-cpp (CPU, no
 * build), every turn generated under a JSON-schema grammar built from the tool schemas
 * (`{"tool", "arguments"}` or `{"answer"}`), so the output always parses; its native function
 * calling is not used (it does not work at this size).
 */
export class LocalChatModel extends AgentChatModel {
  constructor(private readonly options: LocalModelOptions = {}) {
    super({});
  }

  override _llmType(): string {
    return 'ameide-local-smollm2';
  }

  protected override turn(
    messages: BaseMessage[],
    tools: readonly CompiledTool[],
    signal: AbortSignal | undefined,
  ): Promise<{ turn: ModelTurn; usage: TurnUsage }> {
    const run = queue.then(() => this.turnNow(messages, tools, signal));
    queue = run.catch(() => undefined);
    return run;
  }

  private async turnNow(
    messages: BaseMessage[],
    tools: readonly CompiledTool[],
    signal: AbortSignal | undefined,
  ): Promise<{ turn: ModelTurn; usage: TurnUsage }> {
    const l = await load(this.options.modelPath ?? defaultLocalModelPath());
    // A model this small repeats its last call: under the grammar, each tool is offered once
    // per conversation (what it already called is no longer a choice).
    const used = new Set(
      messages.flatMap((m) =>
        ((m as { tool_calls?: { name: string }[] }).tool_calls ?? []).map((c) => c.name),
      ),
    );
    const offered = tools.filter((t) => !used.has(t.name));
    // Id arguments are grounded in the conversation: only ids it holds can be written.
    const ids = idsIn(
      messages
        .map(
          (m) =>
            `${contentText(m)} ${JSON.stringify((m as { tool_calls?: unknown }).tool_calls ?? '')}`,
        )
        .join('\n'),
    ).slice(-MAX_GROUNDED_IDS);
    const grammar = await l.llama.createGrammarForJsonSchema(
      turnSchema(offered, { ids }) as Parameters<Llama['createGrammarForJsonSchema']>[0],
    );
    const sequence = l.context.getSequence();
    const session = new l.mod.LlamaChatSession({
      contextSequence: sequence,
      autoDisposeSequence: true,
    });
    try {
      const { history, prompt } = toHistory(messages, offered);
      session.setChatHistory(history);
      const raw = await session.prompt(prompt, {
        grammar,
        maxTokens: this.options.maxTokens ?? 256,
        temperature: this.options.temperature ?? 0,
        ...(signal ? { signal } : {}),
      });
      const usage = {
        inputTokens: sequence.contextTokens.length - l.model.tokenize(raw).length,
        outputTokens: l.model.tokenize(raw).length,
      };
      return { turn: parseTurn(raw, offered), usage };
    } finally {
      session.dispose();
    }
  }
}

/** The conversation as node-llama-cpp chat history, and the last user turn as the prompt. */
function toHistory(
  messages: BaseMessage[],
  tools: readonly CompiledTool[],
): { history: HistoryItem[]; prompt: string } {
  const toolList = tools
    .map(
      (t) =>
        `- ${t.name}: ${t.description} Arguments: ${JSON.stringify(t.parameters.properties ?? {})}`,
    )
    .join('\n');
  const items: HistoryItem[] = [];
  const called: string[] = [];
  for (const m of messages) {
    const text = contentText(m);
    switch (m.getType()) {
      case 'system':
        items.push({
          type: 'system',
          text: tools.length
            ? `${text}\n\nTools:\n${toolList}\nReply with JSON: {"tool": name, "arguments": {...}} to call a tool, or {"answer": text} when done.`
            : text,
        });
        break;
      case 'ai': {
        const calls = (m as { tool_calls?: { name: string; args: unknown }[] }).tool_calls ?? [];
        const c = calls[0];
        items.push({
          type: 'model',
          response: [
            c
              ? JSON.stringify({ tool: c.name, arguments: c.args })
              : JSON.stringify({ answer: text }),
          ],
        });
        break;
      }
      case 'tool': {
        // A model this small repeats its last call unless told what is done already.
        const name = (m as { name?: string }).name ?? 'the tool';
        called.push(name);
        items.push({
          type: 'user',
          text: `Result of ${name}: ${text}\nDone so far: ${called.join(', ')}. Do not repeat a call: call the next tool the instructions ask for, or answer.`,
        });
        break;
      }
      default:
        items.push({ type: 'user', text });
    }
  }
  const last = items.at(-1);
  if (last?.type === 'user') {
    items.pop();
    return { history: items, prompt: last.text };
  }
  return { history: items, prompt: 'Continue.' };
}
