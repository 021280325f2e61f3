import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { findFreePort, hasExited, tailOutput, terminate, waitUntilReady } from '@ameide/launch';

/** Options of {@link startPostgresServer}. */
export interface PostgresServerOptions {
  /**
   * Data directory to use. Initialised when empty, reused when it already
   * holds a cluster, and never deleted. Default: a fresh temporary directory
   * that `stop()` removes.
   */
  readonly dataDir?: string;
  /** TCP port on 127.0.0.1. Default: a free port chosen at start. */
  readonly port?: number;
  /** Directory holding `initdb` and `postgres`. Default: see {@link findPostgresBinDir}. */
  readonly binDir?: string;
  /** How long to wait for the server to accept connections. Default 30 s. */
  readonly startTimeoutMs?: number;
}

/** A running throw-away Postgres server. */
export interface PostgresServer {
  /** Connection URL of the superuser `postgres` on database `postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server and removes the directories it created. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Install the server (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`), ' +
  'or point the tests at a running server with AMEIDE_TEST_PG_URL=postgres://user@host:port/postgres.';

/**
 * Finds the directory holding the `initdb` and `postgres` binaries: `binDir`
 * when given, else `pg_config --bindir` from PATH, else `initdb` on PATH, else
 * the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout).
 *
 * @throws Error naming every place searched and how to install Postgres.
 */
export function findPostgresBinDir(
  options: { binDir?: string; path?: string; debianRoot?: string } = {},
): string {
  const hasServer = (dir: string): boolean =>
    existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  if (options.binDir !== undefined) {
    if (hasServer(options.binDir)) return options.binDir;
    throw new Error(`initdb and postgres not found in binDir ${options.binDir}. ${INSTALL_HINT}`);
  }
  const pathDirs = (options.path ?? process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  const searched: string[] = [];
  for (const dir of pathDirs) {
    const pgConfig = join(dir, 'pg_config');
    if (!existsSync(pgConfig)) continue;
    try {
      const binDir = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).trim();
      searched.push(`${binDir} (from ${pgConfig} --bindir)`);
      if (hasServer(binDir)) return binDir;
    } catch {
      searched.push(`${pgConfig} (failed to run)`);
    }
  }
  searched.push('initdb/postgres on PATH');
  const onPath = pathDirs.find(hasServer);
  if (onPath !== undefined) return onPath;
  const debianRoot = options.debianRoot ?? '/usr/lib/postgresql';
  searched.push(`${debianRoot}/*/bin`);
  const versions = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = join(debianRoot, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  throw new Error(
    `No PostgreSQL server binaries (initdb, postgres) found; searched: ${searched.join(', ')}. ${INSTALL_HINT}`,
  );
}

/**
 * Starts a throw-away Postgres server for tests: `initdb` with trust auth,
 * durability switched off, listening on 127.0.0.1 only. When running as root
 * (Postgres refuses that) the server runs as the OS user `postgres`.
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServer> {
  const binDir = findPostgresBinDir(options.binDir === undefined ? {} : { binDir: options.binDir });
  const runAs = process.getuid?.() === 0 ? osUser('postgres') : undefined;
  const workDir = await mkdtemp(join(tmpdir(), 'ameide-pg-'));
  const dataDir = options.dataDir ?? join(workDir, 'data');
  const socketDir = join(workDir, 'sock');
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await mkdir(socketDir, { mode: 0o700 });
    if (runAs) {
      for (const dir of [workDir, dataDir, socketDir]) await chown(dir, runAs.uid, runAs.gid);
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      await run(runAs, join(binDir, 'initdb'), [
        '-D',
        dataDir,
        '--auth=trust',
        '-U',
        'postgres',
        '--encoding=UTF8',
        '--no-sync',
      ]);
    }
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      try {
        const server = await launch({ ...options, binDir, runAs, dataDir, socketDir, port });
        // A test run that dies without teardown must not leave a server behind.
        const onExit = (): void => {
          server.kill();
          rmSync(workDir, { recursive: true, force: true });
        };
        process.once('exit', onExit);
        let stopped: Promise<void> | undefined;
        return {
          url: server.url,
          port,
          dataDir,
          stop: () => {
            stopped ??= (async () => {
              process.off('exit', onExit);
              await server.stop();
              await rm(workDir, { recursive: true, force: true });
            })();
            return stopped;
          },
        };
      } catch (error) {
        // Another process may have taken the free port between probe and bind.
        const portTaken =
          error instanceof Error && /could not bind|address already in use/i.test(error.message);
        if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

function osUser(name: string): OsUser {
  try {
    const id = (flag: string): number =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `Running as root, but there is no OS user '${name}' to run Postgres as (Postgres refuses to run as root). ${INSTALL_HINT}`,
    );
  }
}

function command(runAs: OsUser | undefined, bin: string, args: string[]): [string, string[]] {
  return runAs ? ['runuser', ['-u', runAs.name, '--', bin, ...args]] : [bin, args];
}

function run(runAs: OsUser | undefined, bin: string, args: string[]): Promise<void> {
  const [cmd, cmdArgs] = command(runAs, bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, cmdArgs, (error, stdout, stderr) => {
      if (error) reject(new Error(`${bin} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

interface LaunchOptions {
  readonly binDir: string;
  readonly runAs: OsUser | undefined;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly port: number;
  readonly startTimeoutMs?: number;
}

interface Launched {
  readonly url: string;
  stop(): Promise<void>;
  /** Synchronous immediate shutdown, for `process.on('exit')`. */
  kill(): void;
}

async function launch(options: LaunchOptions): Promise<Launched> {
  const { dataDir, port } = options;
  const [cmd, args] = command(options.runAs, join(options.binDir, 'postgres'), [
    ...['-D', dataDir, '-p', String(port), '-k', options.socketDir],
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    ...['-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilReady(child, {
    name: 'postgres',
    where: `port ${port}`,
    ready: () => acceptsConnections(url),
    output: tailOutput(child),
    ...(options.startTimeoutMs !== undefined ? { timeoutMs: options.startTimeoutMs } : {}),
    terminate: FAST_THEN_IMMEDIATE,
  });
  // With runuser in between, the child is not the postmaster: signal the pid
  // the postmaster wrote itself.
  const postmasterPid = readPostmasterPid(dataDir) ?? child.pid;
  return {
    url,
    stop: () =>
      terminate(child, {
        ...FAST_THEN_IMMEDIATE,
        ...(postmasterPid !== undefined ? { pid: postmasterPid } : {}),
      }),
    kill: () => {
      if (!hasExited(child) && postmasterPid !== undefined) signal(postmasterPid, 'SIGQUIT');
    },
  };
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL. */
const FAST_THEN_IMMEDIATE = { signals: ['SIGINT', 'SIGQUIT'], graceMs: 10_000 } as const;

async function acceptsConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
