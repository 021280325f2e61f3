import { access, constants, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  DEFAULT_INBOX_RETENTION_MS,
  DEFAULT_OUTBOX_RETENTION_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
} from '@ameide/events';
import { startTemporalDevServer } from '@ameide/launch';
import { createPlatform, DEFAULT_TASK_QUEUE } from '@ameide/platform';
import { DEFAULT_DELETE_RETENTION_MS } from '@ameide/tenancy';
import { findHostedDomains } from '../dev/hosted-domains.js';
import { createUiSurfaceHandler, findUiSurfaces } from '../dev/ui-surfaces.js';
import { SEARCH_ATTRIBUTE_TYPES } from '@ameide/process-runtime';
import { createLogger, loadOrCreateDevIdentity } from '@ameide/server';
import { durationArg } from '../config/duration.js';
import { resolveHome } from '../config/home.js';
import { step } from '../config/progress.js';
import { defaultLocalModelPath, localModelUnavailable } from '@ameide/agent-runtime';
import {
  DEMO_TENANT,
  seedDemoAgents,
  seedDemoCustomers,
  seedDemoProcesses,
} from '../dev/seed-demo.js';
import { startDevKeycloak } from '../dev/keycloak-dev-server.js';
import { HEAVY_COMMANDS } from './descriptions.js';
import { findTemporalCli } from '../dev/temporal-dev-server.js';

interface DevOptions {
  port: number;
  host: string;
  postgresUrl?: string;
  temporalAddress?: string;
  natsUrl?: string;
  kafkaBrokers?: string;
  keycloak?: boolean;
  keycloakPort: number;
  keycloakUrl?: string;
  oidcIssuer: string[];
  tenantRetention: number;
  s3Url?: string;
  outboxRetention: number;
  inboxRetention: number;
  idempotencyRetention: number;
  retentionInterval: number;
  temporalNamespace: string;
  temporalUi?: number;
  logStdout?: boolean;
  primitivesRoot?: string;
}

/** `http://ADMIN:PASSWORD@host:port` → the server and its master-realm admin. */
function parseKeycloakUrl(value: string): {
  url: string;
  admin: { username: string; password: string };
} {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--keycloak-url ${value} is not a URL (http://ADMIN:PASSWORD@host:port)`);
  }
  if (!url.username || !url.password)
    throw new Error(
      '--keycloak-url needs the master-realm admin in it: http://ADMIN:PASSWORD@host:port',
    );
  const admin = {
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  return { url: url.origin, admin };
}

/** `ameide dev`: the whole platform on one machine, on its embedded defaults. */
export function devCommand(): Command {
  return new Command('dev')
    .description(HEAVY_COMMANDS.dev)
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
    .option(
      '--temporal-address <host:port>',
      'use this Temporal server instead of spawning a dev server (env AMEIDE_TEMPORAL_ADDRESS)',
      process.env['AMEIDE_TEMPORAL_ADDRESS'],
    )
    .option(
      '--temporal-namespace <ns>',
      'Temporal namespace',
      process.env['AMEIDE_TEMPORAL_NAMESPACE'] ?? 'default',
    )
    .option(
      '--temporal-ui <port>',
      'also serve the Temporal Web UI of the spawned dev server on this port',
      port,
    )
    .option(
      '--nats-url <url>',
      'also relay domain events to this NATS JetStream server (env AMEIDE_NATS_URL); embedded consumers read the Postgres log',
      process.env['AMEIDE_NATS_URL'],
    )
    .addOption(
      new Option(
        '--s3-url <url>',
        'keep tenant objects (extension modules) on this S3 server instead of the embedded database: ' +
          'http://KEY:SECRET@host:port/bucket, optional ?region=<r> (default us-east-1) and ' +
          '?pathStyle=false; the bucket is created when missing',
      ).env('AMEIDE_S3_URL'),
    )
    .addOption(
      new Option(
        '--outbox-retention <duration>',
        'delete outbox events older than this once every relay and cursor has passed them (e.g. 7d, 12h)',
      )
        .env('AMEIDE_OUTBOX_RETENTION')
        .argParser(durationArg)
        .default(DEFAULT_OUTBOX_RETENTION_MS, '7d'),
    )
    .addOption(
      new Option(
        '--inbox-retention <duration>',
        "forget consumers' handled event ids after this; keep it longer than any redelivery",
      )
        .env('AMEIDE_INBOX_RETENTION')
        .argParser(durationArg)
        .default(DEFAULT_INBOX_RETENTION_MS, '7d'),
    )
    .addOption(
      new Option(
        '--idempotency-retention <duration>',
        'how long a command retried with the same idempotency-key answers its first reply',
      )
        .env('AMEIDE_IDEMPOTENCY_RETENTION')
        .argParser(durationArg)
        .default(DEFAULT_IDEMPOTENCY_RETENTION_MS, '7d'),
    )
    .addOption(
      new Option('--retention-interval <duration>', 'how often event retention runs')
        .env('AMEIDE_RETENTION_INTERVAL')
        .argParser(durationArg)
        .default(DEFAULT_RETENTION_INTERVAL_MS, '1h'),
    )
    .option(
      '--kafka-brokers <host:port,...>',
      "also relay the domains' logs to Kafka (topics analytics.<domain>), so projections can be rebuilt from it (env AMEIDE_KAFKA_BROKERS)",
      process.env['AMEIDE_KAFKA_BROKERS'],
    )
    .option(
      '--keycloak',
      'start a Keycloak (installed on first use from Maven Central, data in <home>/keycloak): tenants created with `ameide tenant create` get a realm or organisation there, and the platform trusts its tokens',
    )
    .option('--keycloak-port <n>', 'port of the Keycloak started by --keycloak', port, 8081)
    .addOption(
      new Option(
        '--keycloak-url <url>',
        'provision tenants in this running Keycloak instead (http://ADMIN:PASSWORD@host:port, a master-realm admin)',
      ).env('AMEIDE_KEYCLOAK_URL'),
    )
    .option(
      '--oidc-issuer <url>',
      'also trust tokens of this OIDC issuer (discovery + JWKS; claims tenantId, orgId, groups); repeatable',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addOption(
      new Option(
        '--tenant-retention <duration>',
        'how long a suspended tenant is kept before `ameide tenant delete` may remove it',
      )
        .argParser(durationArg)
        .default(DEFAULT_DELETE_RETENTION_MS, '30d'),
    )
    .option('--log-stdout', 'write the JSON logs to stdout instead of <home>/logs/platform.log')
    .option(
      '--primitives-root <dir>',
      'also serve the Domains of <dir>/domains/*/deploy/domain.yaml and the built UISurfaces of <dir>/apps/*/deploy/uisurface.yaml, e.g. scaffolded ones (default: the current directory)',
    )
    .addHelpText(
      'after',
      '\nEmbedded defaults: PGlite data in <home>/data (tenant objects too, unless --s3-url), a dev signing key in <home>, logs in <home>/logs,\n' +
        'the workflow bundle in <home>/cache (rebuilt when its sources change).\n' +
        'On first start the demo tenant gets the example decisions and processes, published.\n' +
        'Identity: dev tokens by default; --keycloak (or --keycloak-url, --oidc-issuer) for real OIDC sign-in.\n' +
        'Then: npx ameide login --dev --tenant demo && npx ameide artifact list',
    )
    .action(async (opts: DevOptions, cmd: Command) => {
      const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
      const started = performance.now();
      const cleanup: (() => Promise<void>)[] = [];
      const background: Promise<unknown>[] = [];
      try {
        await step(
          'state directory',
          () => claimHome(home, cleanup),
          () => home,
        );
        const logFile = join(home, 'logs', 'platform.log');
        const logger = opts.logStdout
          ? createLogger({ primitive: { type: 'platform', name: 'dev' } })
          : createLogger({
              primitive: { type: 'platform', name: 'dev' },
              destination: await openLog(logFile),
            });
        const identity = await step('dev signing key', () => loadOrCreateDevIdentity(home));
        // Temporal starts in a process of its own and the console build is checked while the
        // platform opens and migrates its database; both are awaited before anything runs on them.
        const temporalAddress = opts.temporalAddress
          ? Promise.resolve(opts.temporalAddress)
          : step(
              'temporal dev server',
              async () => {
                const server = await startTemporalDevServer({
                  binary: findTemporalCli(),
                  dbFile: join(home, 'temporal.db'),
                  namespace: opts.temporalNamespace,
                  searchAttributes: SEARCH_ATTRIBUTE_TYPES,
                  startTimeoutMs: 60_000,
                  ...(opts.temporalUi ? { uiPort: opts.temporalUi } : {}),
                });
                cleanup.push(() => server.stop());
                return server.address;
              },
              (address) =>
                `${address}, data in ${join(home, 'temporal.db')}${opts.temporalUi ? `, UI on http://127.0.0.1:${opts.temporalUi}` : ''}`,
            );
        if (opts.keycloak && opts.keycloakUrl)
          throw new Error('give either --keycloak or --keycloak-url, not both');
        const keycloak = opts.keycloak
          ? step(
              'keycloak',
              async () => {
                const server = await startDevKeycloak({ home, port: opts.keycloakPort });
                cleanup.push(() => server.stop());
                return { url: server.url, admin: server.admin };
              },
              (k) => `${k.url}, data in ${join(home, 'keycloak')}`,
            )
          : opts.keycloakUrl
            ? Promise.resolve(parseKeycloakUrl(opts.keycloakUrl))
            : undefined;
        // The console (a UISurface) is built once, when its sources changed.
        const consoleApp = await import('@ameide/console');
        const consoleBuilt = step(
          'console',
          () => consoleApp.buildConsole(),
          (r) => (r.built ? `built in ${r.ms} ms` : 'up to date'),
        );
        const temporal = temporalAddress.then((address) => ({
          address,
          namespace: opts.temporalNamespace,
          taskQueue: DEFAULT_TASK_QUEUE,
        }));
        // Failures surface where they are awaited; all are settled before the clean-up runs
        // (a Temporal server that started after it would outlive this process).
        for (const p of [
          temporalAddress,
          consoleBuilt,
          temporal,
          ...(keycloak ? [keycloak] : []),
        ]) {
          background.push(p);
          p.catch(() => undefined);
        }
        let demo: Awaited<ReturnType<typeof seedDemoCustomers>> = { customers: [], created: 0 };
        const kc = keycloak ? await keycloak : undefined;
        const domains = await step(
          'domains',
          () => findHostedDomains(opts.primitivesRoot ?? process.cwd()),
          (found) => (found.length ? found.map((d) => d.name).join(', ') : 'none besides sales'),
        );
        const ui = await step(
          'ui surfaces',
          () => findUiSurfaces(opts.primitivesRoot ?? process.cwd()),
          (found) => found.summary,
        );
        // Embedded mode only: the dev sign-in, the sign-in at a tenant's realm, the built
        // UISurfaces and the console's files.
        const consoleFallback = consoleApp.createConsoleFallback({
          identity,
          distDir: consoleApp.consoleDistDir,
          before: [createUiSurfaceHandler(ui.surfaces)],
        });
        const platform = await createPlatform({
          database: opts.postgresUrl
            ? { postgresUrl: opts.postgresUrl }
            : { pglite: true, pgliteDir: join(home, 'data') },
          identity,
          temporal,
          host: {
            port: opts.port,
            hostname: opts.host,
            httpFallback: consoleFallback.httpFallback,
          },
          logger,
          ...(domains.length > 0 ? { domains } : {}),
          worker: { workflowBundleCacheDir: join(home, 'cache') },
          ...(opts.natsUrl ? { natsUrl: opts.natsUrl } : {}),
          ...(opts.kafkaBrokers ? { kafka: { brokers: opts.kafkaBrokers.split(',') } } : {}),
          tenancy: {
            // Local development: the CLI client also takes the password grant.
            ...(kc ? { keycloak: { ...kc, passwordGrant: true } } : {}),
            oidcIssuers: opts.oidcIssuer.map((issuer) => ({ issuer })),
            deleteRetentionMs: opts.tenantRetention,
          },
          // Only the platform sees the S3 credentials; services get the object store.
          ...(opts.s3Url ? { objects: { s3Url: opts.s3Url, s3UrlFrom: '--s3-url' } } : {}),
          sales: { idempotencyRetentionMs: opts.idempotencyRetention },
          retention: {
            outboxRetentionMs: opts.outboxRetention,
            inboxRetentionMs: opts.inboxRetention,
            idempotencyRetentionMs: opts.idempotencyRetention,
            intervalMs: opts.retentionInterval,
          },
          async seed({ store, sales }) {
            await step(
              `demo tenant "${DEMO_TENANT}"`,
              () => seedDemoProcesses(store),
              (r) =>
                r.skipped
                  ? 'already seeded'
                  : `published ${r.published.length} example processes and ${r.decisions.length} decisions`,
            );
            await step(
              'demo agents',
              () => seedDemoAgents(store),
              (r) => (r.skipped ? 'already seeded' : `published ${r.published.join(', ')}`),
            );
            await step(
              'agent model',
              () => localModelUnavailable(),
              (why) =>
                why
                  ? `the embedded SmolLM2 model is not available (${why}); agents on provider "local" fail until it is`
                  : `embedded SmolLM2 (${defaultLocalModelPath()})`,
            );
            demo = await step(
              'demo customers',
              () => seedDemoCustomers(sales!),
              (r) =>
                r.created
                  ? `created ${r.created}`
                  : `${r.customers.length} in tenant ${DEMO_TENANT}`,
            );
          },
          step,
        });
        cleanup.push(() => platform.close());
        consoleFallback.tenantIssuers((tenantId) => platform.tenantIssuer(tenantId));
        await consoleBuilt;
        const host = platform.host;
        const total = Math.round(performance.now() - started);
        process.stderr.write(
          `\nAmeide is ready at ${host.url} (started in ${total} ms) — open it in a browser for the console\n` +
            `  sign in:  npx ameide login --dev --tenant ${DEMO_TENANT} --user alice --groups sales\n` +
            (demo.customers[0]
              ? `  demo customer: ${demo.customers[0].id} (${demo.customers[0].name})\n`
              : '') +
            `  or token: npx ameide token --tenant ${DEMO_TENANT}\n` +
            (kc
              ? `  keycloak: ${kc.url} (admin ${kc.admin.username}); create a tenant with\n` +
                `            npx ameide login --dev --tenant platform --user ops --groups platform-admin && npx ameide tenant create acme --tier enterprise\n` +
                `            then sign in with npx ameide login --issuer ${kc.url}/realms/tenant-acme\n`
              : '') +
            (opts.logStdout ? '' : `  logs:     ${logFile}\n`) +
            `Stop with Ctrl-C.\n`,
        );
        await untilSignal();
        process.stderr.write('\nstopping...\n');
      } finally {
        await Promise.allSettled(background);
        for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
      }
    });
}

async function openLog(file: string): Promise<NodeJS.WritableStream> {
  await mkdir(join(file, '..'), { recursive: true });
  return createWriteStream(file, { flags: 'a' });
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
