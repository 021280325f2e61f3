import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TextMapGetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Interceptor } from '@connectrpc/connect';
import { fromConnectError, toConnectError } from '@ameide/errors';
import { bindAsyncIterable, type EnterContext } from '../context/bind-async-iterable.js';
import { callScope, type CallScope } from '../context/call-scope.js';
import type { Logger } from '../logging/logger.js';
import { observeResponse } from './observe-response.js';

const w3c = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/** Scope fields the logging interceptor sets once it has logged the call. */
export interface TracedCallScope extends CallScope {
  logged?: boolean;
}

/**
 * Outermost interceptor: continues the caller's W3C trace (`traceparent`) or
 * starts one, runs the call in an OpenTelemetry span and in the call scope the
 * logger reads, and returns `traceparent` on the response (also on errors).
 * A response stream is iterated in that scope too, so a streaming handler's
 * body (which runs only as the transport pulls messages) and the line that logs
 * the end of the stream carry `trace_id` and `tenant_id` like a unary call.
 * Calls refused before the logging interceptor (bad tokens) are logged here.
 */
export function createTracingInterceptor(options: { tracer: Tracer; logger: Logger }): Interceptor {
  const { tracer, logger } = options;
  return (next) => (req) => {
    const parent = w3c.extract(context.active(), req.header, headerGetter);
    const rpc = `${req.service.typeName}/${req.method.name}`;
    const span = tracer.startSpan(
      rpc,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'rpc.system': 'connect_rpc',
          'rpc.service': req.service.typeName,
          'rpc.method': req.method.name,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const out: Record<string, string> = {};
    w3c.inject(spanContext, out, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
    const traceparent = out['traceparent'];
    const scope: TracedCallScope = { traceId: span.spanContext().traceId, tenantId: undefined };
    const started = performance.now();
    const enter: EnterContext = (fn) => callScope.run(scope, () => context.with(spanContext, fn));
    return enter(async () => {
      const res = await observeResponse(
        () => next(req),
        (error) => {
          if (error) {
            const ae = fromConnectError(error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: ae.message });
            if (!scope.logged) {
              logger.warn(
                {
                  rpc,
                  code: ae.code,
                  reason: ae.reason,
                  duration_ms: round(performance.now() - started),
                },
                'call refused',
              );
            }
          }
          span.end();
        },
        (error) => {
          const ce = toConnectError(error);
          if (traceparent) ce.metadata.set('traceparent', traceparent);
          return ce;
        },
      );
      if (traceparent) res.header.set('traceparent', traceparent);
      return res.stream ? { ...res, message: bindAsyncIterable(res.message, enter) } : res;
    });
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
