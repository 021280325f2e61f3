import type { StreamResponse, UnaryResponse } from '@connectrpc/connect';

type AnyResponse = UnaryResponse | StreamResponse;

/**
 * Calls `done` once when a call finishes: after a unary response, or when a
 * server stream is fully consumed or fails. Lets interceptors end spans and log
 * calls at the right time for both shapes.
 */
export async function observeResponse<R extends AnyResponse>(
  call: () => Promise<R>,
  done: (error: unknown) => void,
  mapError: (error: unknown) => unknown = (e) => e,
): Promise<R> {
  let res: R;
  try {
    res = await call();
  } catch (err) {
    const mapped = mapError(err);
    done(mapped);
    throw mapped;
  }
  if (!res.stream) {
    done(undefined);
    return res;
  }
  const source = res.message;
  async function* wrapped() {
    try {
      yield* source;
    } catch (err) {
      const mapped = mapError(err);
      done(mapped);
      throw mapped;
    }
    done(undefined);
  }
  return { ...res, message: wrapped() };
}
