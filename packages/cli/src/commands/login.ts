import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadOrCreateDevIdentity } from '@ameide/server';
import { WhoAmIResponseSchema } from '@ameide/proto';
import { resolveHome } from '../config/home.js';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { printJson } from '../config/output.js';
import { tenantId } from './token.js';

/** `ameide login --dev`: saves a dev token the CLI and SDK pick up. */
export function loginCommand(): Command {
  return new Command('login')
    .description(
      'sign in; with --dev, sign a token with the embedded mode key and save it in <home>/token',
    )
    .requiredOption('--dev', 'embedded mode sign-in (the only mode so far)')
    .requiredOption('--tenant <id>', 'tenant to act for', tenantId)
    .option('--user <id>', 'acting user', 'dev-user')
    .option('--org <id>', 'organisation inside the tenant')
    .option('--groups <list>', 'comma-separated groups, e.g. sales,ops', (v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    )
    .action(
      async (
        opts: { tenant: string; user: string; org?: string; groups?: string[] },
        cmd: Command,
      ) => {
        const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
        const identity = await loadOrCreateDevIdentity(home);
        const token = await identity.signToken({
          tenantId: opts.tenant,
          userId: opts.user,
          ...(opts.org ? { orgId: opts.org } : {}),
          ...(opts.groups ? { groups: opts.groups } : {}),
        });
        await mkdir(home, { recursive: true });
        await writeFile(join(home, 'token'), `${token}\n`, { mode: 0o600 });
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
