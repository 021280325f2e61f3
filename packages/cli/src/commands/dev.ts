import { mkdir, access, constants, readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  assertRoleCannotBypassRls,
  createPgDatabase,
  createPgliteDatabase,
  DEFAULT_APP_ROLE,
  type Database,
} from '@ameide/persistence';
import {
  createTokenVerifier,
  loadOrCreateDevIdentity,
  startServiceHost,
  type ServiceHost,
} from '@ameide/server';
import {
  createArtifactStore,
  createProcessDefinitionTools,
  migrateTransformation,
  processDefinitionRules,
  transformationServiceRoutes,
} from '@ameide/transformation';
import { resolveHome } from '../config/home.js';
import { step } from '../config/progress.js';

interface DevOptions {
  port: number;
  host: string;
  postgresUrl?: string;
}

/** `ameide dev`: the whole platform on one machine, on its embedded defaults. */
export function devCommand(): Command {
  return new Command('dev')
    .description('start the platform on this machine with its embedded defaults (state in <home>)')
    .option(
      '--port <n>',
      'port of the service host (env AMEIDE_PORT)',
      port,
      Number(process.env['AMEIDE_PORT'] ?? 8080),
    )
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option(
      '--postgres-url <url>',
      'use this Postgres server instead of embedded PGlite (env AMEIDE_POSTGRES_URL)',
      process.env['AMEIDE_POSTGRES_URL'],
    )
    .addHelpText(
      'after',
      '\nEmbedded defaults: PGlite data in <home>/data, a dev signing key in <home>.\n' +
        'Then: npx ameide login --dev --tenant demo && npx ameide whoami',
    )
    .action(async (opts: DevOptions, cmd: Command) => {
      const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
      const started = performance.now();
      const cleanup: (() => Promise<void>)[] = [];
      const stop = async () => {
        for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
      };
      try {
        await step(
          'state directory',
          () => claimHome(home, cleanup),
          () => home,
        );
        const identity = await step('dev signing key', () => loadOrCreateDevIdentity(home));
        const db = await step(
          'database',
          () => openDatabase(home, opts.postgresUrl),
          (d) =>
            d.kind === 'pglite'
              ? `PGlite in ${join(home, 'data')}`
              : `Postgres ${redact(opts.postgresUrl!)}`,
        );
        cleanup.push(() => db.close());
        await step(
          'migrations',
          async () => {
            const r = await migrateTransformation(db);
            await assertRoleCannotBypassRls(db, DEFAULT_APP_ROLE);
            return r;
          },
          (r) => (r.applied.length ? `applied ${r.applied.length}` : 'up to date'),
        );
        const store = createArtifactStore({
          db,
          rules: { process_definition: processDefinitionRules() },
        });
        const host: ServiceHost = await step(
          'service host',
          () =>
            startServiceHost({
              port: opts.port,
              hostname: opts.host,
              verifier: createTokenVerifier({
                issuer: identity.issuer,
                audience: identity.audience,
                jwks: identity.jwks,
              }),
              services: [
                transformationServiceRoutes({ store, processes: createProcessDefinitionTools() }),
              ],
              readiness: { database: async () => void (await db.query('SELECT 1')) },
            }),
          (h) => h.services.map((s) => s.split('.').at(-1)).join(', '),
        );
        cleanup.push(() => host.close());
        const total = Math.round(performance.now() - started);
        process.stderr.write(
          `\nAmeide is ready at ${host.url} (started in ${total} ms)\n` +
            `  sign in:  npx ameide login --dev --tenant demo --user alice\n` +
            `  or token: npx ameide token --tenant demo\n` +
            `Stop with Ctrl-C.\n`,
        );
        await untilSignal();
        process.stderr.write('\nstopping...\n');
      } finally {
        await stop();
      }
    });
}

async function openDatabase(home: string, postgresUrl: string | undefined): Promise<Database> {
  if (postgresUrl) {
    const db = createPgDatabase({ url: postgresUrl });
    await db.query('SELECT 1');
    return db;
  }
  const dataDir = join(home, 'data');
  await mkdir(dataDir, { recursive: true });
  return createPgliteDatabase({ dataDir });
}

/**
 * Makes sure the state directory is writable and not used by another running
 * `ameide dev` (PGlite data must have one writer).
 */
async function claimHome(home: string, cleanup: (() => Promise<void>)[]): Promise<void> {
  try {
    await mkdir(home, { recursive: true });
    await access(home, constants.W_OK);
  } catch (err) {
    throw new Error(
      `state directory ${home} is not writable (${(err as NodeJS.ErrnoException).code}); pass --home <dir> or fix its permissions`,
      { cause: err },
    );
  }
  const pidFile = join(home, 'dev.pid');
  const other = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (other && other !== process.pid && isAlive(other)) {
    throw new Error(
      `another ameide dev (pid ${other}) is using ${home}; stop it first or pass --home <dir>`,
    );
  }
  await writeFile(pidFile, `${process.pid}\n`);
  cleanup.push(() => rm(pidFile, { force: true }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}
