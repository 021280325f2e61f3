import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client, type Interceptor } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { fromConnectError } from '@ameide/errors';
import { PlatformService, ProcessService, TransformationService } from '@ameide/proto';

/**
 * The services the console calls, over Connect-Web (same origin), with the signed-in user's
 * token; every failure is an AmeideError.
 *
 * Stopgap: this mirrors `createAmeideClientFromTransport` + `ameideInterceptors` of `@ameide/sdk`,
 * because the SDK's only entry point also exports the Node client (`@connectrpc/connect-node`,
 * `node:http2`, `node:zlib`), which breaks the browser bundle. Once the SDK has a browser-safe
 * entry (`@ameide/sdk/web`), this file becomes a two-line call to it.
 */
export interface AmeideClient {
  readonly platform: Client<typeof PlatformService>;
  readonly transformation: Client<typeof TransformationService>;
  readonly processes: Client<typeof ProcessService>;
}

export function createPlatformClient(
  token: string,
  baseUrl: string = window.location.origin,
): AmeideClient {
  const auth: Interceptor = (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl, interceptors: [auth] });
  return {
    platform: mapClientErrors(PlatformService, createClient(PlatformService, transport)),
    transformation: mapClientErrors(
      TransformationService,
      createClient(TransformationService, transport),
    ),
    processes: mapClientErrors(ProcessService, createClient(ProcessService, transport)),
  };
}

/** Same as the SDK's: failures reach the caller as AmeideError (Connect wraps interceptor errors). */
function mapClientErrors<S extends DescService>(service: S, client: Client<S>): Client<S> {
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
