import type { Interceptor } from '@connectrpc/connect';
import { fromConnectError } from '@ameide/errors';
import { callScope } from '../context/call-scope.js';
import type { Logger } from '../logging/logger.js';
import { observeResponse } from './observe-response.js';
import type { TracedCallScope } from './tracing.js';

/**
 * Innermost interceptor: one JSON line per call with rpc, code and duration.
 * The logger's mixin adds trace_id and tenant_id from the call scope.
 */
export function createLoggingInterceptor(options: { logger: Logger }): Interceptor {
  const { logger } = options;
  return (next) => (req) => {
    const started = performance.now();
    const rpc = `${req.service.typeName}/${req.method.name}`;
    return observeResponse(
      () => next(req),
      (error) => {
        const scope = callScope.getStore() as TracedCallScope | undefined;
        if (scope) scope.logged = true;
        const duration_ms = Math.round((performance.now() - started) * 100) / 100;
        if (error) {
          const ae = fromConnectError(error);
          logger.info(
            { rpc, code: ae.code, reason: ae.reason, error: ae.message, duration_ms },
            'call failed',
          );
        } else {
          logger.info({ rpc, code: 'ok', duration_ms }, 'call');
        }
      },
    );
  };
}
