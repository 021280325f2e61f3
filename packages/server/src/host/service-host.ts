import type http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Registry } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { refuseMalformedBinary } from '../input/malformed-binary.js';
import { strictJsonOptions } from '../input/strict-utf8.js';
import {
  createAuthenticationInterceptor,
  type AuthenticationMode,
} from '../interceptors/authentication.js';
import { createErrorMappingInterceptor } from '../interceptors/error-mapping.js';
import { createInputValidationInterceptor } from '../interceptors/input-validation.js';
import { createLoggingInterceptor } from '../interceptors/logging.js';
import { createReadOnlyInterceptor } from '../interceptors/read-only.js';
import { createRequestContextInterceptor } from '../interceptors/request-context.js';
import { createTracingInterceptor } from '../interceptors/tracing.js';
import { createLogger, type Logger, type PrimitiveIdentity } from '../logging/logger.js';
import { registerPlatformService } from '../platform/platform-service.js';
import { drainAfterResponse } from './drain-request.js';
import { createDualProtocolServer } from './dual-protocol-server.js';

/** Registers one or more services on the host's router. */
export type ServiceRegistration = (router: ConnectRouter) => void;

/** A readiness check: resolves when the dependency is usable, throws when not. */
export type ReadinessCheck = () => Promise<void>;

export interface ServiceHostOptions {
  /** TCP port; 0 picks a free one (default 8080). */
  readonly port?: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly hostname?: string;
  readonly verifier: TokenVerifier;
  /**
   * `required` (default): every call carries a bearer token. `{ anonymousClaims }`
   * is for test harnesses whose clients cannot send tokens (the conformance suite).
   */
  readonly authentication?: AuthenticationMode;
  /** Largest accepted request message, uncompressed, in bytes (default 16 MiB). */
  readonly readMaxBytes?: number;
  /** Message types that `google.protobuf.Any` fields may hold, for the JSON codec. */
  readonly jsonRegistry?: Registry;
  readonly primitive?: PrimitiveIdentity;
  readonly logger?: Logger;
  readonly services?: readonly ServiceRegistration[];
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Serve the built-in PlatformService (default true). */
  readonly platformService?: boolean;
  /** Platform version reported by GetVersion. */
  readonly version?: string;
  /** Extra span processors (exporters); spans are created either way. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * Serves every request that is not an RPC, `/healthz` or `/readyz` (e.g. the
   * console's static files). Without it such requests get 404.
   */
  readonly httpFallback?: (req: IncomingMessage, res: ServerResponse) => void;
  /** How long shutdown waits for in-flight calls before closing connections (default 10 s). */
  readonly drainTimeoutMs?: number;
}

export interface ServiceHost {
  /** Base URL once listening, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  /** Fully-qualified names of the services served. */
  readonly services: readonly string[];
  /** Stops accepting calls, drains in-flight calls, closes connections. */
  close(): Promise<void>;
}

let contextManagerInstalled = false;

/**
 * Starts the service host: Connect, gRPC and gRPC-Web on one port, HTTP/1.1 and
 * h2c, behind the interceptor chain tracing → authentication → request context
 * → error mapping → logging → input validation. Serves `/healthz` (process alive) and `/readyz`
 * (every readiness check passes and the host is not draining).
 */
export async function startServiceHost(options: ServiceHostOptions): Promise<ServiceHost> {
  if (!contextManagerInstalled) {
    // Lets handler code see the call's span (trace.getActiveSpan()) so outgoing
    // SDK calls continue the trace.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const primitive = options.primitive ?? { type: 'platform', name: 'host' };
  const logger = options.logger ?? createLogger({ primitive });
  const tracer = new BasicTracerProvider({
    spanProcessors: [...(options.spanProcessors ?? [])],
  }).getTracer('@ameide/server');
  const version = options.version ?? '0.1.0';
  const served: string[] = [];
  // Default above the 4 MiB artifact limit, so oversized content gets the
  // store's clear error instead of a transport-level refusal.
  const readMaxBytes = options.readMaxBytes ?? 16 * 1024 * 1024;
  const adapter = connectNodeAdapter({
    ...(options.httpFallback
      ? {
          fallback: options.httpFallback as NonNullable<
            Parameters<typeof connectNodeAdapter>[0]['fallback']
          >,
        }
      : {}),
    readMaxBytes,
    jsonOptions: strictJsonOptions(options.jsonRegistry ? { registry: options.jsonRegistry } : {}),
    interceptors: [
      createTracingInterceptor({ tracer, logger }),
      createAuthenticationInterceptor({
        verifier: options.verifier,
        ...(options.authentication ? { mode: options.authentication } : {}),
      }),
      createRequestContextInterceptor(),
      createErrorMappingInterceptor({ logger }),
      createLoggingInterceptor({ logger }),
      createReadOnlyInterceptor(),
      createInputValidationInterceptor(),
    ],
    routes(router) {
      if (options.platformService !== false)
        registerPlatformService(router, { version, services: () => served });
      for (const register of options.services ?? []) register(router);
      // connect-es parses unary requests before any interceptor runs.
      router.handlers.forEach((h, i) => (router.handlers[i] = refuseMalformedBinary(h)));
      for (const h of router.handlers) {
        if (!served.includes(h.service.typeName)) served.push(h.service.typeName);
      }
      served.sort();
    },
  });

  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();

  const handler = (
    req: IncomingMessage | http2.Http2ServerRequest,
    res: ServerResponse | http2.Http2ServerResponse,
  ) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void respond(res, 200, { status: 'ok' });
    if (path === '/readyz') return void readiness(res);
    inFlight++;
    // The rest of one message of the largest accepted size, plus slack.
    drainAfterResponse(req, res, readMaxBytes + 1024 * 1024);
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    adapter(req, res);
  };

  async function readiness(res: ServerResponse | http2.Http2ServerResponse) {
    if (draining) return respond(res, 503, { status: 'draining' });
    const failures: Record<string, string> = {};
    for (const [name, check] of Object.entries(options.readiness ?? {})) {
      try {
        await check();
      } catch (err) {
        failures[name] = err instanceof Error ? err.message : String(err);
      }
    }
    if (Object.keys(failures).length > 0) respond(res, 503, { status: 'not ready', failures });
    else respond(res, 200, { status: 'ready' });
  }

  const { tcp: server, h2 } = createDualProtocolServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  const requestedPort = options.port ?? 8080;
  const hostname = options.hostname ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(
          new Error(
            `port ${requestedPort} on ${hostname} is already in use; stop the other process or pick another port (--port)`,
            { cause: err },
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new Error(`no permission to listen on port ${requestedPort}; use a port above 1023`, {
            cause: err,
          }),
        );
      } else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(requestedPort, hostname);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
  logger.info({ url, services: served }, 'service host listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    logger,
    services: served,
    close() {
      closing ??= (async () => {
        draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        if (inFlight > 0) {
          logger.info({ in_flight: inFlight }, 'draining in-flight calls');
          await new Promise<void>((resolve) => {
            drained = resolve;
            setTimeout(resolve, options.drainTimeoutMs ?? 10_000).unref();
          });
        }
        for (const s of sessions) s.close();
        for (const s of sockets) s.destroy();
        await stopped;
        logger.info('service host stopped');
      })();
      return closing;
    },
  };
}

function respond(
  res: ServerResponse | http2.Http2ServerResponse,
  status: number,
  body: unknown,
): void {
  const json = JSON.stringify(body);
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}
