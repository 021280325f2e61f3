import type { Interceptor } from '@connectrpc/connect';

/** Where the SDK gets its bearer token: a fixed string or a (refreshing) function. */
export type TokenSource = string | (() => string | Promise<string>);

/** Adds `Authorization: Bearer <token>` to every call. */
export function authInterceptor(source: TokenSource): Interceptor {
  return (next) => async (req) => {
    const token = typeof source === 'string' ? source : await source();
    if (token) req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
}
