import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { callScope } from '../context/call-scope.js';

/** Names the primitive a process runs; stamped on every log line. */
export interface PrimitiveIdentity {
  /** One of the six primitive kinds, or `platform` for the host itself. */
  readonly type: string;
  readonly name: string;
}

export interface CreateLoggerOptions {
  readonly primitive: PrimitiveIdentity;
  readonly level?: LoggerOptions['level'];
  /** Where JSON lines go; stdout when omitted. */
  readonly destination?: DestinationStream;
}

/**
 * A pino logger whose every line carries `trace_id`, `tenant_id`,
 * `primitive_type` and `primitive_name`. The first two come from the current
 * call's async scope (null outside a call), so code deep inside a handler logs
 * them without passing anything around.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? process.env['AMEIDE_LOG_LEVEL'] ?? 'info',
    base: { primitive_type: options.primitive.type, primitive_name: options.primitive.name },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const scope = callScope.getStore();
      return { trace_id: scope?.traceId ?? null, tenant_id: scope?.tenantId ?? null };
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

export type { Logger };
