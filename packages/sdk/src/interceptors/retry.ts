import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';

export interface RetryOptions {
  /** Attempts in all, including the first (default 3; 1 disables retries). */
  readonly maxAttempts?: number;
  /** First backoff in ms, doubled per attempt with full jitter (default 100). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

const retryable = new Set<Code>([Code.Unavailable, Code.ResourceExhausted]);

/**
 * Retries unary calls the proto marks `idempotency_level = NO_SIDE_EFFECTS`
 * (reads) when the server is unavailable or overloaded. Commands are never
 * retried here: a lost response to a command cannot be told from a failure.
 */
export function retryInterceptor(options: RetryOptions = {}): Interceptor {
  const maxAttempts = options.maxAttempts ?? 3;
  const initial = options.initialBackoffMs ?? 100;
  const cap = options.maxBackoffMs ?? 2_000;
  return (next) => async (req) => {
    if (req.stream || req.method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS)
      return next(req);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        const ce = ConnectError.from(err);
        if (attempt >= maxAttempts || !retryable.has(ce.code) || req.signal.aborted) throw err;
        const backoff = Math.random() * Math.min(cap, initial * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  };
}
