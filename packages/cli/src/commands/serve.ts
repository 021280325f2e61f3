import { readFile } from 'node:fs/promises';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_TASK_QUEUE,
  primitiveIdentity,
  SERVABLE_PRIMITIVES,
  servePrimitive,
  type ServablePrimitive,
  type ServeOptions,
  type StepReporter,
} from '@ameide/platform';
import {
  AMEIDE_AUDIENCE,
  createLogger,
  devIdentityFromJwk,
  type DevIdentity,
  type Logger,
  type TokenVerifierOptions,
} from '@ameide/server';
import { createKubernetesTenants } from '@ameide/tenancy';
import { durationArg } from '../config/duration.js';
import { HEAVY_COMMANDS } from './descriptions.js';

interface ServeFlags {
  port: number;
  host: string;
  postgresUrl?: string;
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  natsUrl?: string;
  tokenIssuer?: string;
  tokenAudience: string;
  jwksUrl?: string;
  jwksFile?: string;
  signingKeyFile?: string;
  serviceUrl?: string[];
  domain: string;
  idempotencyRetention?: number;
  outboxRetention?: number;
  inboxRetention?: number;
  retentionInterval?: number;
  retention: boolean;
  agent?: string;
  agentVersion?: number;
  toolGrantsFile?: string;
  reviews: boolean;
  tenantsPostgresUrl?: string;
  tenantsRefresh?: number;
  keycloakUrl?: string;
  keycloakAdminUser: string;
  keycloakAdminPassword?: string;
  keycloakSharedRealm?: string;
  deleteRetention?: number;
  kubernetes?: string;
}

/** A setting a primitive cannot start without, as the user gives it. */
interface Need {
  readonly ok: (f: ServeFlags) => boolean;
  readonly says: string;
}

const postgres: Need = {
  ok: (f) => !!f.postgresUrl,
  says: '--postgres-url or AMEIDE_POSTGRES_URL',
};
const temporal: Need = {
  ok: (f) => !!f.temporalAddress,
  says: '--temporal-address or AMEIDE_TEMPORAL_ADDRESS',
};
const issuer: Need = {
  ok: (f) => !!f.tokenIssuer,
  says: '--token-issuer or AMEIDE_TOKEN_ISSUER',
};
const keys: Need = {
  ok: (f) => !!(f.jwksUrl || f.jwksFile),
  says: '--jwks-url or AMEIDE_JWKS_URL (or --jwks-file / AMEIDE_JWKS_FILE)',
};
const signingKey: Need = {
  ok: (f) => !!f.signingKeyFile,
  says: '--signing-key-file or AMEIDE_SIGNING_KEY_FILE',
};
const serviceUrl: Need = {
  ok: (f) => !!f.serviceUrl?.length,
  says: '--service-url or AMEIDE_SERVICE_URLS',
};
const nats: Need = { ok: (f) => !!f.natsUrl, says: '--nats-url or AMEIDE_NATS_URL' };

/** What each primitive needs, and what it is (for --help). */
const PRIMITIVES: Record<
  ServablePrimitive,
  { readonly needs: readonly Need[]; readonly is: string }
> = {
  transformation: {
    needs: [postgres, issuer, keys],
    is: 'TransformationService (artifacts, process definitions); migrates its schema',
  },
  process: {
    needs: [postgres, temporal, issuer, keys],
    is: 'ProcessService on Temporal; reads published plans from the Transformation database and keeps the Temporal Schedules of timer start events in step with publishing',
  },
  'process-worker': {
    needs: [postgres, temporal, signingKey, serviceUrl],
    is: 'the process worker (interpreter workflow + activities); probes only',
  },
  sales: {
    needs: [postgres, issuer, keys],
    is: 'the sales domain (OrderService, CustomerService); migrates its schema',
  },
  events: {
    needs: [postgres, issuer, keys],
    is: "EventService (TailEvents) over a domain's outbox",
  },
  relay: {
    needs: [postgres, nats],
    is: "relays a domain's outbox to NATS JetStream and runs event retention; probes only",
  },
  agents: {
    needs: [postgres, issuer, keys, signingKey, serviceUrl],
    is: 'AgentService (runs published agents as the caller, keeps their proposals); migrates its schema, reads definitions from the Transformation database; RunSandbox needs `ameide dev`',
  },
  tenants: {
    needs: [postgres, issuer, keys],
    is: "TenantService (platform administrators): provisions each tenant's Keycloak realm or organisation, Temporal namespace, database (shared or its own on the same server) and AmeideTenant resource; migrates the tenant registry",
  },
};

/** `ameide serve <primitive>`: one primitive as a process of its own (one Deployment each). */
export function serveCommand(): Command {
  return new Command('serve')
    .description(HEAVY_COMMANDS.serve)
    .addArgument(new Argument('<primitive>', 'what to run').choices(SERVABLE_PRIMITIVES))
    .addOption(
      new Option('--port <n>', 'port of its RPCs and probes')
        .env('AMEIDE_PORT')
        .argParser(port)
        .default(8080),
    )
    .addOption(
      new Option('--host <addr>', 'interface to listen on (0.0.0.0 in a container)')
        .env('AMEIDE_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('--postgres-url <url>', 'Postgres (migration rights for the schema owners)').env(
        'AMEIDE_POSTGRES_URL',
      ),
    )
    .addOption(
      new Option('--temporal-address <host:port>', 'Temporal frontend').env(
        'AMEIDE_TEMPORAL_ADDRESS',
      ),
    )
    .addOption(
      new Option('--temporal-namespace <ns>', 'Temporal namespace')
        .env('AMEIDE_TEMPORAL_NAMESPACE')
        .default('default'),
    )
    .addOption(
      new Option('--task-queue <name>', 'task queue of the process primitive')
        .env('AMEIDE_TASK_QUEUE')
        .default(DEFAULT_TASK_QUEUE),
    )
    .addOption(
      new Option('--nats-url <url>', 'NATS JetStream server (relay)').env('AMEIDE_NATS_URL'),
    )
    .addOption(
      new Option('--token-issuer <iss>', 'required `iss` of bearer tokens (the OIDC issuer)').env(
        'AMEIDE_TOKEN_ISSUER',
      ),
    )
    .addOption(
      new Option('--token-audience <aud>', 'required `aud` of bearer tokens')
        .env('AMEIDE_TOKEN_AUDIENCE')
        .default(AMEIDE_AUDIENCE),
    )
    .addOption(
      new Option('--jwks-url <url>', "the issuer's JWKS (jwks_uri), fetched and cached").env(
        'AMEIDE_JWKS_URL',
      ),
    )
    .addOption(
      new Option('--jwks-file <file>', 'a JWKS JSON file instead of --jwks-url').env(
        'AMEIDE_JWKS_FILE',
      ),
    )
    .addOption(
      new Option(
        '--signing-key-file <file>',
        'process-worker, agents: private JWK the tokens of service tasks and tool calls are signed with (issuer urn:ameide:dev)',
      ).env('AMEIDE_SIGNING_KEY_FILE'),
    )
    .addOption(
      new Option(
        '--service-url <[service=]url...>',
        'process-worker, agents: where service tasks and tool calls go: `url` for all, `ameide.sales.=url` by service-name prefix; repeatable (comma-separated in the env)',
      )
        .env('AMEIDE_SERVICE_URLS')
        .argParser(serviceUrls),
    )
    .addOption(
      new Option('--domain <name>', 'events, relay: whose outbox (default sales)')
        .env('AMEIDE_DOMAIN')
        .default('sales'),
    )
    .addOption(
      new Option(
        '--idempotency-retention <duration>',
        'sales, relay: how long an idempotency key answers its first reply (default 7d)',
      )
        .env('AMEIDE_IDEMPOTENCY_RETENTION')
        .argParser(durationArg),
    )
    .addOption(
      new Option(
        '--outbox-retention <duration>',
        'relay: keep published outbox events this long (default 7d)',
      )
        .env('AMEIDE_OUTBOX_RETENTION')
        .argParser(durationArg),
    )
    .addOption(
      new Option(
        '--inbox-retention <duration>',
        "relay: keep consumers' handled event ids this long (default 7d)",
      )
        .env('AMEIDE_INBOX_RETENTION')
        .argParser(durationArg),
    )
    .addOption(
      new Option('--retention-interval <duration>', 'relay: how often retention runs (default 1h)')
        .env('AMEIDE_RETENTION_INTERVAL')
        .argParser(durationArg),
    )
    .option('--no-retention', 'relay: run no event retention')
    .addOption(
      new Option('--agent <name>', 'agents: run this agent only (an Agent resource)').env(
        'AMEIDE_AGENT_DEFINITION',
      ),
    )
    .addOption(
      new Option('--agent-version <n>', "agents: the published version --agent's runs use")
        .env('AMEIDE_AGENT_DEFINITION_VERSION')
        .argParser(agentVersion),
    )
    .addOption(
      new Option(
        '--tool-grants-file <file>',
        'agents: JSON { "agent", "allowedMethods": [...] }: no other method is called (the Agent resource\'s grants)',
      ).env('AMEIDE_TOOL_GRANTS_FILE'),
    )
    .addOption(
      new Option(
        '--tenants-postgres-url <url>',
        "all but tenants: the tenant registry's database (where `serve tenants` runs): admit each call's tenant there (suspended and deleted tenants refused, a tenant realm's token only for its tenant), send a tenant with a database of its own there, use its Temporal namespace",
      ).env('AMEIDE_TENANTS_POSTGRES_URL'),
    )
    .addOption(
      new Option(
        '--tenants-refresh <duration>',
        'how often the tenant registry is read again for new databases and namespaces (default 5s)',
      )
        .env('AMEIDE_TENANTS_REFRESH')
        .argParser(durationArg),
    )
    .addOption(
      new Option(
        '--keycloak-url <url>',
        'tenants: Keycloak for tenant identities (a realm per enterprise tenant, an organisation of the shared realm per SMB tenant)',
      ).env('AMEIDE_KEYCLOAK_URL'),
    )
    .addOption(
      new Option('--keycloak-admin-user <name>', "tenants: an admin of Keycloak's master realm")
        .env('AMEIDE_KEYCLOAK_ADMIN_USER')
        .default('admin'),
    )
    .addOption(
      new Option(
        '--keycloak-admin-password <password>',
        'tenants: its password (prefer the environment variable)',
      ).env('AMEIDE_KEYCLOAK_ADMIN_PASSWORD'),
    )
    .addOption(
      new Option(
        '--keycloak-shared-realm <realm>',
        'tenants: the realm of SMB tenants (default ameide)',
      ).env('AMEIDE_KEYCLOAK_SHARED_REALM'),
    )
    .addOption(
      new Option(
        '--delete-retention <duration>',
        'tenants: how long a suspended tenant is kept before it may be deleted (default 30d)',
      )
        .env('AMEIDE_DELETE_RETENTION')
        .argParser(durationArg),
    )
    .addOption(
      new Option(
        '--kubernetes <in-cluster|kubeconfig>',
        "tenants: apply each tenant's AmeideTenant resource (the operator makes its namespaces) with the pod's service account, or a kubeconfig file",
      ).env('AMEIDE_KUBERNETES'),
    )
    .option(
      '--no-reviews',
      'agents: no agent-proposal-review processes (proposals wait for DecideProposal and ApplyProposal)',
    )
    .addHelpText('after', helpText())
    .action(async (primitive: ServablePrimitive, flags: ServeFlags) => {
      const missing = PRIMITIVES[primitive].needs.filter((n) => !n.ok(flags)).map((n) => n.says);
      if (missing.length > 0) {
        process.stderr.write(
          `ameide serve ${primitive} needs ${missing.join(', and ')} (see ameide serve --help)\n`,
        );
        process.exitCode = 1;
        return;
      }
      const logger = createLogger({ primitive: primitiveIdentity(primitive) });
      // A signal during start-up stops the process once the step under way is done.
      const stop = untilSignal();
      let exitCode = 0;
      try {
        const served = await servePrimitive(await serveOptions(primitive, flags, logger));
        const signal = await stop.signal;
        logger.info({ signal }, 'stopping');
        await served.close();
        logger.info('stopped');
      } catch (err) {
        exitCode = 1;
        if (!reported.has(err as object)) logger.error({ err }, 'start-up failed');
        throw err;
      } finally {
        stop.dispose();
        // The Temporal runtime or a half-open connection must not keep a stopped container alive.
        setTimeout(() => process.exit(exitCode), 3_000).unref();
      }
    });
}

async function serveOptions(
  primitive: ServablePrimitive,
  f: ServeFlags,
  logger: Logger,
): Promise<ServeOptions> {
  const common = {
    listen: { port: f.port, hostname: f.host },
    logger,
    step: loggedSteps(logger),
  };
  const database = { postgresUrl: f.postgresUrl! };
  const temporal = {
    address: f.temporalAddress!,
    namespace: f.temporalNamespace,
    taskQueue: f.taskQueue,
  };
  const tenants = f.tenantsPostgresUrl
    ? {
        tenants: {
          postgresUrl: f.tenantsPostgresUrl,
          ...(f.tenantsRefresh !== undefined ? { refreshMs: f.tenantsRefresh } : {}),
        },
      }
    : {};
  const rpc = async () => ({ ...common, database, tokens: await tokenOptions(f), ...tenants });
  switch (primitive) {
    case 'transformation':
      return { primitive, ...(await rpc()) };
    case 'sales':
      return {
        primitive,
        ...(await rpc()),
        ...(f.idempotencyRetention !== undefined
          ? { sales: { idempotencyRetentionMs: f.idempotencyRetention } }
          : {}),
      };
    case 'events':
      return { primitive, ...(await rpc()), domains: [f.domain] };
    case 'process':
      return { primitive, ...(await rpc()), temporal };
    case 'process-worker':
      return {
        primitive,
        ...common,
        database,
        temporal,
        signingKey: await readSigningKey(f.signingKeyFile!),
        serviceUrl: routeServices(f.serviceUrl!),
        ...tenants,
      };
    case 'agents': {
      const grants = f.toolGrantsFile ? await readToolGrants(f.toolGrantsFile, f.agent) : undefined;
      return {
        primitive,
        ...(await rpc()),
        signingKey: await readSigningKey(f.signingKeyFile!),
        serviceUrl: routeServices(f.serviceUrl!),
        reviews: f.reviews,
        ...(f.agent
          ? {
              only: {
                agent: f.agent,
                ...(f.agentVersion ? { version: f.agentVersion } : {}),
              },
            }
          : {}),
        ...(grants ? { allowedMethods: grants } : {}),
      };
    }
    case 'relay':
      return {
        primitive,
        ...common,
        database,
        natsUrl: f.natsUrl!,
        domain: f.domain,
        retention: f.retention
          ? {
              ...(f.outboxRetention !== undefined ? { outboxRetentionMs: f.outboxRetention } : {}),
              ...(f.inboxRetention !== undefined ? { inboxRetentionMs: f.inboxRetention } : {}),
              ...(f.idempotencyRetention !== undefined
                ? { idempotencyRetentionMs: f.idempotencyRetention }
                : {}),
              ...(f.retentionInterval !== undefined ? { intervalMs: f.retentionInterval } : {}),
            }
          : false,
        ...tenants,
      };
    case 'tenants': {
      if (f.keycloakUrl && !f.keycloakAdminPassword)
        throw new Error(
          '--keycloak-url needs --keycloak-admin-password or AMEIDE_KEYCLOAK_ADMIN_PASSWORD',
        );
      return {
        primitive,
        ...common,
        database,
        tokens: await tokenOptions(f),
        ...(f.keycloakUrl
          ? {
              keycloak: {
                url: f.keycloakUrl,
                admin: { username: f.keycloakAdminUser, password: f.keycloakAdminPassword! },
                ...(f.keycloakSharedRealm ? { sharedRealm: f.keycloakSharedRealm } : {}),
              },
            }
          : {}),
        ...(f.temporalAddress ? { temporalAddress: f.temporalAddress } : {}),
        ...(f.deleteRetention !== undefined ? { deleteRetentionMs: f.deleteRetention } : {}),
        ...(f.kubernetes ? { kubernetes: await kubernetesTenants(f.kubernetes) } : {}),
      };
    }
  }
}

/** The cluster where tenants' `AmeideTenant` resources are applied. */
async function kubernetesTenants(kubeconfig: string) {
  try {
    return await createKubernetesTenants(kubeconfig);
  } catch (err) {
    throw new Error(
      `--kubernetes ${kubeconfig}: ${kubeconfig === 'in-cluster' ? 'not running in a cluster (no service account)' : 'cannot load the kubeconfig'}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function tokenOptions(f: ServeFlags): Promise<TokenVerifierOptions> {
  const base = { issuer: f.tokenIssuer!, audience: f.tokenAudience };
  if (f.jwksUrl) {
    try {
      new URL(f.jwksUrl);
    } catch {
      throw new Error(`--jwks-url ${f.jwksUrl} is not a URL`);
    }
    return { ...base, jwksUrl: f.jwksUrl };
  }
  const jwks = await readJson(f.jwksFile!, '--jwks-file');
  if (!jwks || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys))
    throw new Error(`--jwks-file ${f.jwksFile} is not a JWKS (a JSON object with "keys")`);
  return { ...base, jwks: jwks as { keys: [] } };
}

/** The methods an Agent resource granted (the operator's tool-grant ConfigMap, tools.json). */
async function readToolGrants(file: string, agent: string | undefined): Promise<string[]> {
  const doc = (await readJson(file, '--tool-grants-file')) as {
    agent?: unknown;
    allowedMethods?: unknown;
  } | null;
  const methods = doc?.allowedMethods;
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string' && m.includes('/')))
    throw new Error(
      `--tool-grants-file ${file}: expected { "agent": ..., "allowedMethods": ["package.Service/Method", ...] }`,
    );
  if (agent && typeof doc?.agent === 'string' && doc.agent !== agent)
    throw new Error(`--tool-grants-file ${file} grants agent ${doc.agent}, not --agent ${agent}`);
  return methods as string[];
}

function agentVersion(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${value}: a published version (1, 2, ...; 0 for the latest)`);
  return n;
}

async function readSigningKey(file: string): Promise<DevIdentity> {
  const jwk = await readJson(file, '--signing-key-file');
  if (!jwk || typeof jwk !== 'object' || typeof (jwk as { d?: unknown }).d !== 'string')
    throw new Error(`--signing-key-file ${file} is not a private JWK`);
  try {
    return await devIdentityFromJwk(jwk);
  } catch (err) {
    throw new Error(`--signing-key-file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function readJson(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${flag} ${file}: ${(err as NodeJS.ErrnoException).code}`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${flag} ${file} is not JSON`);
  }
}

/** `[url, 'ameide.sales.=url']` → the URL of a service: the longest matching prefix, else the default. */
function routeServices(entries: readonly string[]): (service: string) => string {
  let fallback: string | undefined;
  const routes: Array<[string, string]> = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq < 0) fallback = entry;
    else routes.push([entry.slice(0, eq), entry.slice(eq + 1)]);
  }
  routes.sort((a, b) => b[0].length - a[0].length);
  return (service) => {
    const url = routes.find(([prefix]) => service.startsWith(prefix))?.[1] ?? fallback;
    if (url === undefined) throw new Error(`no --service-url for ${service}`);
    return url;
  };
}

function serviceUrls(value: string, previous: string[] | undefined): string[] {
  const entries = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const url = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
    if (!/^https?:\/\/[^/]/.test(url))
      throw new InvalidArgumentError(`${entry}: expected [service-prefix=]http(s)://host:port`);
  }
  return [...(previous ?? []), ...entries];
}

/** Errors a failed step has logged already. */
const reported = new WeakSet<object>();

/** Each start-up step as a JSON log line with its duration. */
function loggedSteps(logger: Logger): StepReporter {
  return async (title, run, detail) => {
    const started = performance.now();
    try {
      const value = await run();
      logger.info(
        {
          step: title,
          ms: Math.round(performance.now() - started),
          ...(detail ? { detail: detail(value) } : {}),
        },
        `${title} ready`,
      );
      return value;
    } catch (err) {
      logger.error({ step: title, err }, `${title} failed`);
      if (typeof err === 'object' && err !== null) reported.add(err);
      throw err;
    }
  };
}

function untilSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let on: (sig: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    on = (sig) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
  return {
    signal,
    dispose() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}

function helpText(): string {
  const width = Math.max(...SERVABLE_PRIMITIVES.map((p) => p.length));
  const lines = SERVABLE_PRIMITIVES.map(
    (p) =>
      `  ${p.padEnd(width)}  ${PRIMITIVES[p].is}\n  ${' '.repeat(width)}  needs ${PRIMITIVES[p].needs.map((n) => n.says.split(' or ')[0]).join(', ')}`,
  );
  return (
    '\nPrimitives:\n' +
    lines.join('\n') +
    '\n\nEvery option can come from the environment variable named with it. Logs are JSON lines on\n' +
    'stdout. GET /healthz answers 200 while the process runs, /readyz 200 once its database (and\n' +
    'Temporal, the worker) answer, 503 while draining. SIGTERM drains in-flight work and exits 0.\n' +
    '\nExample (tokens from an OIDC issuer):\n' +
    '  ameide serve sales --host 0.0.0.0 --postgres-url postgres://ameide@db/ameide \\\n' +
    '    --token-issuer https://id.example.com/realms/ameide \\\n' +
    '    --jwks-url https://id.example.com/realms/ameide/protocol/openid-connect/certs\n'
  );
}
