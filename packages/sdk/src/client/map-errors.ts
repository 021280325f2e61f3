import type { DescService } from '@bufbuild/protobuf';
import type { Client } from '@connectrpc/connect';
import { fromConnectError } from '@ameide/errors';

/**
 * Wraps every method of a Connect client so failures reach the caller as an
 * AmeideError. (Connect wraps whatever an interceptor throws into a
 * ConnectError, so the mapping has to happen outside the transport.)
 */
export function mapClientErrors<S extends DescService>(service: S, client: Client<S>): Client<S> {
  const raw = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  const out: Record<string, unknown> = {};
  for (const method of service.methods) {
    const fn = raw[method.localName];
    if (!fn) continue;
    if (method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming') {
      out[method.localName] = async function* (...args: unknown[]) {
        try {
          yield* fn(...args) as AsyncIterable<unknown>;
        } catch (err) {
          throw fromConnectError(err);
        }
      };
    } else {
      out[method.localName] = async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw fromConnectError(err);
        }
      };
    }
  }
  return out as Client<S>;
}
