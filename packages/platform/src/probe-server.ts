import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, ReadinessCheck } from '@ameide/server';

/** `/healthz` and `/readyz` for a primitive that serves no RPCs (the worker, the relay). */
export interface ProbeServer {
  readonly url: string;
  readonly port: number;
  /** `/readyz` answers 503 `draining` from now on. */
  drain(): void;
  close(): Promise<void>;
}

export interface ProbeServerOptions {
  readonly port: number;
  readonly hostname: string;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  readonly logger?: Logger;
}

/**
 * Serves the probes the service host serves, with the same answers: `/healthz`
 * 200 while the process is alive; `/readyz` 200 when every check passes, 503
 * with the failures otherwise, 503 `draining` during shutdown.
 */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  let draining = false;
  const server: Server = createServer((req, res) => {
    const respond = (status: number, body: unknown) => {
      const json = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(json),
      });
      res.end(json);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return respond(200, { status: 'ok' });
    if (path !== '/readyz') return respond(404, { status: 'not found' });
    if (draining) return respond(503, { status: 'draining' });
    void (async () => {
      const failures: Record<string, string> = {};
      for (const [name, check] of Object.entries(options.readiness)) {
        try {
          await check();
        } catch (err) {
          failures[name] = err instanceof Error ? err.message : String(err);
        }
      }
      if (Object.keys(failures).length > 0) respond(503, { status: 'not ready', failures });
      else respond(200, { status: 'ready' });
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${options.port} on ${options.hostname} is already in use; stop the other process or pick another port (--port)`,
              { cause: err },
            )
          : err,
      ),
    );
    server.listen(options.port, options.hostname, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname;
  const url = `http://${host}:${port}`;
  options.logger?.info({ url }, 'probes listening');
  return {
    url,
    port,
    drain: () => void (draining = true),
    close() {
      draining = true;
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
