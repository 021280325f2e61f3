/** Runs `fn` inside some context (an AsyncLocalStorage scope, an OpenTelemetry context). */
export type EnterContext = <R>(fn: () => R) => R;

/**
 * `source`, iterated inside `enter`: every `next`, `return` and `throw` on it
 * runs in the context `enter` sets up.
 *
 * A server-streaming handler is an async generator. Its body does not run when
 * the handler is called (inside the call's scope) but when the transport pulls
 * the next message, from the transport's own async context, where the call
 * scope is gone: log lines of the body would lose `trace_id` and `tenant_id`.
 * Iterating through this wrapper puts them back for the body and for every
 * interceptor's stream wrapper inside it.
 */
export function bindAsyncIterable<T>(
  source: AsyncIterable<T>,
  enter: EnterContext,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = enter(() => source[Symbol.asyncIterator]());
      return {
        next: (...args: [] | [unknown]) => enter(() => it.next(...args)),
        return: (value?: unknown) =>
          enter(() =>
            it.return
              ? it.return(value)
              : Promise.resolve({ done: true, value } as IteratorReturnResult<T>),
          ),
        throw: (error?: unknown) =>
          enter(() => (it.throw ? it.throw(error) : Promise.reject(error as Error))),
      };
    },
  };
}
