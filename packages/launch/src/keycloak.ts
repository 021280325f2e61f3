import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { acceptsConnections } from './accepts-connections.js';
import { findFreePort } from './find-free-port.js';
import { findJavaBinary } from './kafka.js';
import { tailOutput } from './tail-output.js';
import { waitUntilReady } from './wait-until-ready.js';

/**
 * The Keycloak release the platform is tested against. `scripts/ensure-keycloak.mjs`
 * (`ensureKeycloak`) fetches exactly this one.
 */
export const KEYCLOAK_VERSION = '26.7.3';

const HOME_HINT =
  'Fetch it once with `node scripts/ensure-keycloak.mjs` (Maven Central ' +
  `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz, 176 MB), set AMEIDE_KEYCLOAK_HOME to an ` +
  'unpacked distribution, or use a running server (`--oidc-issuer`, AMEIDE_TEST_KEYCLOAK_URL).';

/** Where `scripts/ensure-keycloak.mjs` unpacks it: `$XDG_CACHE_HOME/ameide/keycloak-<version>`. */
export function keycloakCacheDir(): string {
  const cache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'ameide', `keycloak-${KEYCLOAK_VERSION}`);
}

/**
 * The unpacked Keycloak distribution: `home` when given, else `AMEIDE_KEYCLOAK_HOME`, else the
 * cache ({@link keycloakCacheDir}).
 *
 * @throws Error naming the directory and how to fetch the distribution.
 */
export function findKeycloakHome(options: { home?: string } = {}): string {
  const fromEnv = process.env['AMEIDE_KEYCLOAK_HOME'];
  const dir =
    options.home ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : keycloakCacheDir());
  if (!existsSync(join(dir, 'bin', 'kc.sh')))
    throw new Error(
      `Keycloak ${KEYCLOAK_VERSION} not found in ${dir} (no bin/kc.sh). ${HOME_HINT}`,
    );
  return dir;
}

/** Options of {@link startKeycloak}. */
export interface KeycloakOptions {
  /** The distribution (see {@link findKeycloakHome}). */
  readonly home?: string;
  /**
   * Where its data is kept (an H2 file database there, kept across restarts); without it the
   * data is in memory and gone when it stops (tests).
   */
  readonly dataDir?: string;
  /** HTTP port on 127.0.0.1. Default: a free port. */
  readonly port?: number;
  /** The bootstrap admin of the `master` realm. Default `admin` / a random password is not kept: give one. */
  readonly admin: { readonly username: string; readonly password: string };
  readonly java?: string;
  /** Aborting it during the start kills the JVM at once; `startKeycloak` then rejects. */
  readonly signal?: AbortSignal;
  /** How long to wait for OIDC discovery to answer (default 180 s: 36-75 s on a loaded 2-core machine). */
  readonly startTimeoutMs?: number;
}

/** A Keycloak (`kc.sh start-dev`) child of this process. */
export interface Keycloak {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly admin: { readonly username: string; readonly password: string };
  /** SIGTERM, then SIGKILL after 10 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts Keycloak in development mode (`kc.sh start-dev`, HTTP on 127.0.0.1 only) with a
 * bootstrap admin, and waits until the master realm's OIDC discovery answers. Killed with this
 * process when it exits.
 */
export async function startKeycloak(options: KeycloakOptions): Promise<Keycloak> {
  const home = findKeycloakHome(options.home !== undefined ? { home: options.home } : {});
  const java = options.java ?? findJavaBinary();
  const port = options.port ?? (await findFreePort());
  if (await acceptsConnections(port))
    throw new Error(`keycloak cannot listen on 127.0.0.1:${port}: address already in use`);
  const db = options.dataDir
    ? [
        '--db=dev-file',
        `--db-url=jdbc:h2:file:${join(options.dataDir, 'keycloakdb')};NON_KEYWORDS=VALUE`,
      ]
    : ['--db=dev-mem'];
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    join(home, 'bin', 'kc.sh'),
    [
      'start-dev',
      `--http-port=${port}`,
      '--http-host=127.0.0.1',
      '--hostname-strict=false',
      '--health-enabled=false',
      // Not needed by the platform, and each costs start-up time.
      '--features-disabled=admin-fine-grained-authz,kerberos',
      ...db,
    ],
    {
      // kc.sh runs the JVM as its child: a process group of their own lets every stop, abort
      // or exit of this process end both (signalling kc.sh alone orphans the JVM).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JAVA_HOME: dirname(dirname(java)),
        KC_BOOTSTRAP_ADMIN_USERNAME: options.admin.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: options.admin.password,
        // The client compiler only: a faster start on 2 cores (kc.sh picks the collector).
        JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1',
      },
    },
  );
  const output = tailOutput(child, 80);
  child.once('error', () => undefined);
  const group = child.pid!;
  const abort = (): void => void signalGroup(group, 'SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  child.once('exit', () => options.signal?.removeEventListener('abort', abort));
  const killOnExit = (): void => void signalGroup(group, 'SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(child, {
      name: 'keycloak',
      where: `port ${port}`,
      ready: async () => {
        try {
          const res = await fetch(`${url}/realms/master/.well-known/openid-configuration`, {
            signal: AbortSignal.timeout(2_000),
          });
          return res.ok;
        } catch {
          return false;
        }
      },
      output,
      timeoutMs: options.startTimeoutMs ?? 180_000,
      pollMs: 500,
    });
  } catch (err) {
    signalGroup(group, 'SIGKILL');
    process.off('exit', killOnExit);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pid: child.pid!,
    admin: options.admin,
    stop() {
      stopping ??= stopGroup(group).finally(() => process.off('exit', killOnExit));
      return stopping;
    },
  };
}

function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false; // the group is gone
  }
}

/** SIGTERM to kc.sh and the JVM, up to 10 s for the JVM to shut down, then SIGKILL. */
async function stopGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + 10_000;
  while (signalGroup(pgid, 0)) {
    if (Date.now() > deadline) {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
