import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { isAmeideError, toConnectError } from '@ameide/errors';
import type { Logger } from '../logging/logger.js';
import { observeResponse } from './observe-response.js';

/**
 * Maps what handlers throw onto Connect errors: AmeideErrors keep their code
 * and typed details; ConnectErrors pass; anything else becomes `internal`
 * with a generic message, and the real error is logged here, server side only.
 */
export function createErrorMappingInterceptor(options: { logger: Logger }): Interceptor {
  const map = (err: unknown) => {
    if (!isAmeideError(err) && !(err instanceof ConnectError)) {
      options.logger.error({ err }, 'unhandled error in handler');
    }
    return toConnectError(err);
  };
  return (next) => (req) =>
    observeResponse(
      () => next(req),
      () => undefined,
      map,
    );
}
