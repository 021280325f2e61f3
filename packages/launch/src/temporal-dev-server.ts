import { spawn, type ChildProcess } from 'node:child_process';
import { acceptsConnections } from './accepts-connections.js';
import { findFreePort } from './find-free-port.js';
import { tailOutput } from './tail-output.js';
import { terminate } from './terminate.js';
import { waitUntilReady } from './wait-until-ready.js';

/** Options of {@link startTemporalDevServer}. */
export interface TemporalDevServerOptions {
  /** Path of the `temporal` CLI (see `findBinary('temporal', …)`). */
  readonly binary: string;
  /** SQLite file of the server; it keeps workflows across restarts. */
  readonly dbFile: string;
  /** Frontend gRPC port on 127.0.0.1. Default: a free port (retried when another process takes it first). */
  readonly port?: number;
  /** Serve the Web UI on this port; headless without it. */
  readonly uiPort?: number;
  /** Namespace to create (default `default`). */
  readonly namespace?: string;
  /** Search attributes to register (`name` → `Keyword`, `Int`, ...). */
  readonly searchAttributes?: Readonly<Record<string, string>>;
  /** The server's own log level (default `warn`). */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the frontend to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A `temporal server start-dev` child of this process. */
export interface TemporalDevServer {
  /** `127.0.0.1:<port>` (gRPC frontend). */
  readonly address: string;
  readonly port: number;
  readonly namespace: string;
  /** The CLI binary that runs it. */
  readonly binary: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns `temporal server start-dev` on 127.0.0.1 with its data in `dbFile`,
 * waits until its frontend accepts connections, and stops it on `stop()` or
 * when this process exits, so no server is left behind. Its HTTP API and
 * metrics listen on free ports, so several servers can run side by side.
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const namespace = options.namespace ?? 'default';
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      const child = await launch(options, port, namespace);
      const killOnExit = (): void => void child.kill('SIGKILL');
      process.once('exit', killOnExit);
      let stopping: Promise<void> | undefined;
      return {
        address: `127.0.0.1:${port}`,
        port,
        namespace,
        binary: options.binary,
        pid: child.pid!,
        stop() {
          stopping ??= terminate(child).finally(() => process.off('exit', killOnExit));
          return stopping;
        },
      };
    } catch (error) {
      // Another process may have taken the free port between probe and bind.
      const portTaken =
        error instanceof Error && /address already in use|bind/i.test(error.message);
      if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function launch(
  options: TemporalDevServerOptions,
  port: number,
  namespace: string,
): Promise<ChildProcess> {
  const args = [
    'server',
    'start-dev',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await findFreePort()),
    '--metrics-port',
    String(await findFreePort()),
    '--db-filename',
    options.dbFile,
    '--namespace',
    namespace,
    '--log-level',
    options.logLevel ?? 'warn',
    ...Object.entries(options.searchAttributes ?? {}).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]),
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tailOutput(child);
  // An unstartable binary (ENOENT, EACCES) surfaces as the child's exit below.
  child.once('error', () => undefined);
  await waitUntilReady(child, {
    name: 'temporal',
    where: `port ${port}`,
    ready: () => acceptsConnections(port),
    output,
    ...(options.startTimeoutMs !== undefined ? { timeoutMs: options.startTimeoutMs } : {}),
  });
  return child;
}
