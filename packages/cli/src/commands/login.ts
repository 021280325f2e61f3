import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadOrCreateDevIdentity } from '@ameide/server';
import { WhoAmIResponseSchema } from '@ameide/proto';
import { resolveHome } from '../config/home.js';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { printJson } from '../config/output.js';
import { deviceLogin, forgetOidcSession } from '../config/oidc-session.js';

/** The CLI's OAuth client in every tenant realm (TenantService creates it). */
const CLI_CLIENT_ID = 'ameide-cli';
import { tenantId } from './token.js';

/**
 * `ameide login --dev`: saves a dev token signed with the embedded mode's key;
 * `ameide login --issuer <url>`: the OAuth device flow against an OIDC issuer (a tenant's
 * Keycloak realm), saving its token (refreshed when it expires). The CLI and SDK pick it up.
 */
export function loginCommand(): Command {
  return new Command('login')
    .description(
      'sign in and save the token in <home>/token: --dev signs one with the embedded mode key, --issuer signs in at an OIDC issuer (device flow)',
    )
    .option('--dev', 'embedded mode sign-in (needs --tenant)')
    .option(
      '--issuer <url>',
      "sign in at this OIDC issuer with the device flow, e.g. http://127.0.0.1:8081/realms/tenant-acme (the tenant's Keycloak realm)",
    )
    .option('--client-id <id>', 'OAuth client of the CLI at the issuer', CLI_CLIENT_ID)
    .option('--tenant <id>', 'tenant to act for (with --dev)', tenantId)
    .option('--user <id>', 'acting user (with --dev)', 'dev-user')
    .option('--org <id>', 'organisation inside the tenant (with --dev)')
    .option('--groups <list>', 'comma-separated groups, e.g. sales,ops (with --dev)', (v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  npx ameide login --dev --tenant acme --user ada --groups sales\n  npx ameide login --issuer http://127.0.0.1:8081/realms/tenant-acme',
    )
    .action(
      async (
        opts: {
          dev?: boolean;
          issuer?: string;
          clientId: string;
          tenant?: string;
          user: string;
          org?: string;
          groups?: string[];
        },
        cmd: Command,
      ) => {
        const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
        if (opts.dev === true && opts.issuer !== undefined)
          throw new Error('give either --dev or --issuer, not both');
        if (opts.issuer !== undefined) {
          const claims = await deviceLogin({
            home,
            issuer: opts.issuer,
            clientId: opts.clientId,
            prompt: (uri, code, complete) =>
              process.stderr.write(
                `open ${complete ?? uri} in a browser${complete ? '' : ` and enter the code ${code}`}; waiting for the sign-in...\n`,
              ),
          });
          const who =
            typeof claims['preferred_username'] === 'string'
              ? claims['preferred_username']
              : String(claims['sub']);
          process.stderr.write(
            `signed in as ${who} at ${opts.issuer}; token saved to ${join(home, 'token')}\n`,
          );
          return;
        }
        if (opts.dev !== true)
          throw new Error(
            'say how to sign in: --dev --tenant <id> (embedded mode) or --issuer <url> (an OIDC issuer, device flow)',
          );
        if (opts.tenant === undefined) throw new Error('--dev needs --tenant <id>');
        const identity = await loadOrCreateDevIdentity(home);
        const token = await identity.signToken({
          tenantId: opts.tenant,
          userId: opts.user,
          ...(opts.org ? { orgId: opts.org } : {}),
          ...(opts.groups ? { groups: opts.groups } : {}),
        });
        await mkdir(home, { recursive: true });
        await writeFile(join(home, 'token'), `${token}\n`, { mode: 0o600 });
        await forgetOidcSession(home);
        process.stderr.write(
          `signed in as ${opts.user} in tenant ${opts.tenant}; token saved to ${join(home, 'token')}\n`,
        );
      },
    );
}

/** `ameide whoami`: what the platform makes of the current token. */
export function whoamiCommand(): Command {
  return withPlatformOptions(
    new Command('whoami')
      .description(
        'show the tenant, user and groups of the current token, as the platform sees them',
      )
      .option('--json', 'print JSON'),
  ).action(async (opts: { json?: boolean }, cmd: Command) => {
    const client = await platformClient(cmd);
    const res = await client.platform.whoAmI({});
    if (opts.json) return printJson(WhoAmIResponseSchema, res);
    const c = res.context!;
    process.stdout.write(
      `tenant ${c.tenantId}${c.orgId ? ` (org ${c.orgId})` : ''}, user ${c.userId}, groups ${c.groups.join(', ') || '-'}\n`,
    );
  });
}
