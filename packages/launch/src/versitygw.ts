import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { acceptsConnections } from './accepts-connections.js';
import { findBinary } from './find-binary.js';
import { findFreePort } from './find-free-port.js';
import { tailOutput } from './tail-output.js';
import { terminate } from './terminate.js';
import { waitUntilReady } from './wait-until-ready.js';

/**
 * The versitygw release the platform is tested against. `scripts/ensure-versitygw.mjs`
 * (`ensureVersitygw`) builds exactly this one.
 */
export const VERSITYGW_VERSION = 'v1.8.0';

/** Region versitygw answers for unless told otherwise (its own default). */
export const VERSITYGW_DEFAULT_REGION = 'us-east-1';

const INSTALL_HINT =
  `Build it once with \`node scripts/ensure-versitygw.mjs\` ` +
  `(Go: go install github.com/versity/versitygw/cmd/versitygw@${VERSITYGW_VERSION}, about 3 minutes), ` +
  'set AMEIDE_VERSITYGW_BIN to a versitygw binary, or point the tests at a running S3 server with ' +
  'AMEIDE_TEST_S3_URL=http://KEY:SECRET@host:port.';

/** Where `scripts/ensure-versitygw.mjs` builds versitygw: `$XDG_CACHE_HOME/ameide/bin/versitygw-<version>`. */
export function versitygwCacheDir(): string {
  const cache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'ameide', 'bin', `versitygw-${VERSITYGW_VERSION}`);
}

/**
 * Finds the `versitygw` binary: `binary` when given, else `AMEIDE_VERSITYGW_BIN`,
 * else on `PATH`, else in the build cache ({@link versitygwCacheDir}).
 *
 * @throws Error naming every place searched and how to build it.
 */
export function findVersitygwBinary(options: { binary?: string } = {}): string {
  const fromEnv = process.env['AMEIDE_VERSITYGW_BIN'];
  if (options.binary !== undefined)
    return findBinary('versitygw', { binary: options.binary, installHint: INSTALL_HINT });
  if (fromEnv !== undefined && fromEnv !== '')
    return findBinary('versitygw', {
      binary: fromEnv,
      binaryFrom: 'AMEIDE_VERSITYGW_BIN',
      installHint: INSTALL_HINT,
    });
  // The cache last: a versitygw the user installed on PATH wins.
  const path = [process.env['PATH'] ?? '', versitygwCacheDir()].filter(Boolean).join(delimiter);
  return findBinary('versitygw', { path, installHint: INSTALL_HINT });
}

/** Options of {@link startVersitygw}. */
export interface VersitygwOptions {
  /** Path of the binary (see {@link findVersitygwBinary}). */
  readonly binary: string;
  /** Directory the posix backend keeps buckets in (one sub-directory per bucket). */
  readonly dataDir: string;
  /** Port on 127.0.0.1. Default: a free port (retried when another process takes it first). */
  readonly port?: number;
  /** Root access key. Default: random. */
  readonly accessKeyId?: string;
  /** Root secret key. Default: random. */
  readonly secretAccessKey?: string;
  /** Default {@link VERSITYGW_DEFAULT_REGION}. */
  readonly region?: string;
  /** How long to wait for the port to accept connections (default 15 s). */
  readonly startTimeoutMs?: number;
}

/** A `versitygw posix` child of this process: one S3 account, path-style addressing. */
export interface Versitygw {
  /** `http://127.0.0.1:<port>`: use it with path-style addressing (`forcePathStyle`). */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly dataDir: string;
  readonly binary: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s. Idempotent. Leaves `dataDir` in place. */
  stop(): Promise<void>;
}

/**
 * Spawns versitygw with its posix backend on `dataDir`, listening on 127.0.0.1 only, waits
 * until it accepts connections, and stops it on `stop()` or when this process exits, so no
 * server is left behind.
 */
export async function startVersitygw(options: VersitygwOptions): Promise<Versitygw> {
  const accessKeyId = options.accessKeyId ?? `ameide${randomBytes(6).toString('hex')}`;
  const secretAccessKey = options.secretAccessKey ?? randomBytes(24).toString('hex');
  const region = options.region ?? VERSITYGW_DEFAULT_REGION;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      const child = await launch(options, { port, accessKeyId, secretAccessKey, region });
      const killOnExit = (): void => void child.kill('SIGKILL');
      process.once('exit', killOnExit);
      let stopping: Promise<void> | undefined;
      return {
        endpoint: `http://127.0.0.1:${port}`,
        port,
        region,
        accessKeyId,
        secretAccessKey,
        dataDir: options.dataDir,
        binary: options.binary,
        pid: child.pid!,
        stop() {
          stopping ??= terminate(child).finally(() => process.off('exit', killOnExit));
          return stopping;
        },
      };
    } catch (error) {
      // Another process may have taken the free port between probe and bind.
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

interface Account {
  readonly port: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

async function launch(options: VersitygwOptions, account: Account): Promise<ChildProcess> {
  const { port } = account;
  // Readiness is "the port accepts connections": a port something else already listens on
  // would pass it before versitygw fails to bind, so such a port is refused up front.
  if (await acceptsConnections(port))
    throw new Error(
      `versitygw cannot listen on 127.0.0.1:${port}: address already in use (something accepts connections there)`,
    );
  const args = [
    '--port',
    `127.0.0.1:${port}`,
    '--region',
    account.region,
    // One line per request would flood the output tail quoted in errors.
    '--quiet',
    'posix',
    options.dataDir,
  ];
  // The keys go through the environment, not argv, so `ps` does not show the secret.
  const child = spawn(options.binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ROOT_ACCESS_KEY_ID: account.accessKeyId,
      ROOT_SECRET_ACCESS_KEY: account.secretAccessKey,
    },
  });
  const output = tailOutput(child);
  // An unstartable binary (ENOENT, EACCES) surfaces as the child's exit below.
  child.once('error', () => undefined);
  await waitUntilReady(child, {
    name: 'versitygw',
    where: `port ${port}`,
    ready: () => acceptsConnections(port),
    output,
    timeoutMs: options.startTimeoutMs ?? 15_000,
    pollMs: 20,
  });
  return child;
}
