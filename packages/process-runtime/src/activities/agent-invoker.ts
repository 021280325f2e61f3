import type { AgentCallRequest } from '../workflow/activity-types.js';

/**
 * Runs an agent task. The agent runtime is a later primitive; the process runtime only needs
 * a result for the task's output mapping (`result`).
 */
export interface AgentInvoker {
  invoke(request: AgentCallRequest, options?: AgentInvocation): Promise<unknown>;
}

/** Where an agent task's invocation comes from. */
export interface AgentInvocation {
  readonly signal?: AbortSignal;
  /**
   * The same for every attempt of one agent task (workflow id, run id and activity id): an
   * invoker keys its run on it, so a retried activity does not run the agent, or record its
   * proposals, twice.
   */
  readonly invocationKey?: string;
}

export interface HttpAgentInvokerOptions {
  /** Endpoint receiving `POST` with the request as JSON; answers `{ "result": ... }`. */
  readonly url: string;
  readonly headers?: () => Promise<Record<string, string>> | Record<string, string>;
  readonly fetch?: typeof fetch;
}

/** An AgentInvoker calling a configurable HTTP endpoint. */
export function createHttpAgentInvoker(options: HttpAgentInvokerOptions): AgentInvoker {
  const doFetch = options.fetch ?? fetch;
  return {
    async invoke(request, invocation = {}) {
      const extra = options.headers ? await options.headers() : {};
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // The endpoint can tell a retried task from a new one.
          ...(invocation.invocationKey ? { 'idempotency-key': invocation.invocationKey } : {}),
          ...extra,
        },
        body: JSON.stringify(request),
        ...(invocation.signal ? { signal: invocation.signal } : {}),
      });
      if (!res.ok)
        throw new Error(`agent endpoint ${options.url} answered ${res.status} ${res.statusText}`);
      const body = (await res.json()) as { result?: unknown };
      return body.result ?? null;
    },
  };
}

/** An AgentInvoker answering from a function (tests, the offline embedded mode). */
export function createScriptedAgentInvoker(
  script: (request: AgentCallRequest) => unknown,
): AgentInvoker {
  return { invoke: (request) => Promise.resolve(script(request)) };
}
