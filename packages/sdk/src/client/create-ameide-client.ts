import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import {
  ameideInterceptors,
  createAmeideClientFromTransport,
  type AmeideClient,
  type ClientInterceptorOptions,
} from './ameide-client.js';

/** Wire protocol the Node client speaks; the host serves all three on one port. */
export type AmeideProtocol = 'connect' | 'grpc' | 'grpc-web';

export interface CreateAmeideClientOptions extends ClientInterceptorOptions {
  /** Base URL of the platform, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** Default `connect`. */
  readonly protocol?: AmeideProtocol;
  /** HTTP version for connect/grpc-web (grpc always uses HTTP/2). Default `1.1`. */
  readonly httpVersion?: '1.1' | '2';
}

/**
 * Creates the Ameide SDK client for Node: typed clients for every service,
 * with auth, traceparent, retries for idempotent reads and errors mapped to
 * AmeideError.
 *
 * @example
 * const ameide = createAmeideClient({ baseUrl: 'http://127.0.0.1:8080', token });
 * const { context } = await ameide.platform.whoAmI({});
 */
export function createAmeideClient(options: CreateAmeideClientOptions): AmeideClient {
  const interceptors = ameideInterceptors(options);
  const protocol = options.protocol ?? 'connect';
  const httpVersion = options.httpVersion ?? '1.1';
  const transport =
    protocol === 'grpc'
      ? createGrpcTransport({ baseUrl: options.baseUrl, interceptors })
      : protocol === 'grpc-web'
        ? createGrpcWebTransport({ baseUrl: options.baseUrl, httpVersion, interceptors })
        : createConnectTransport({ baseUrl: options.baseUrl, httpVersion, interceptors });
  return createAmeideClientFromTransport(transport);
}
