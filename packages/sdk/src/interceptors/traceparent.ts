import { context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Interceptor } from '@connectrpc/connect';

const w3c = new W3CTraceContextPropagator();

/**
 * Sends W3C `traceparent`: the active OpenTelemetry span's when there is one
 * (so a handler's outgoing calls continue its trace), a fresh trace otherwise.
 */
export function traceparentInterceptor(): Interceptor {
  return (next) => (req) => {
    if (!req.header.has('traceparent')) {
      if (trace.getActiveSpan()) {
        w3c.inject(context.active(), req.header, {
          set: (h: Headers, k: string, v: string) => h.set(k, v),
        });
      } else {
        req.header.set('traceparent', `00-${randomHex(16)}-${randomHex(8)}-01`);
      }
    }
    return next(req);
  };
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}
