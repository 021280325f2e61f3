import { Command, InvalidArgumentError } from 'commander';
import {
  DEV_TOKEN_TTL_SEC,
  MAX_DEV_TOKEN_TTL_SEC,
  TENANT_ID_PATTERN,
  loadOrCreateDevIdentity,
} from '@ameide/server';
import { resolveHome } from '../config/home.js';

/** `ameide token`: prints a dev JWT signed by the embedded mode's local key. */
export function tokenCommand(): Command {
  return new Command('token')
    .description(
      'print a dev token (JWT) for the embedded mode, signed with the local key in <home>',
    )
    .requiredOption('--tenant <id>', 'tenant the token acts for', tenantId)
    .option('--org <id>', 'organisation inside the tenant')
    .option('--user <id>', 'acting user (the token subject)', 'dev-user')
    .option('--groups <list>', 'comma-separated groups, e.g. sales,ops', (v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
    )
    .option(
      '--ttl <seconds>',
      `lifetime in seconds, at most ${MAX_DEV_TOKEN_TTL_SEC} (hosts refuse longer-lived tokens)`,
      tokenTtl,
      DEV_TOKEN_TTL_SEC,
    )
    .addHelpText(
      'after',
      '\nExample:\n  TOKEN=$(npx ameide token --tenant acme --user alice --groups sales)\n  curl -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d "{}" \\\n    http://127.0.0.1:8080/ameide.platform.v1.PlatformService/WhoAmI',
    )
    .action(
      async (
        opts: { tenant: string; org?: string; user: string; groups?: string[]; ttl: number },
        cmd: Command,
      ) => {
        const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
        const identity = await loadOrCreateDevIdentity(home);
        const token = await identity.signToken({
          tenantId: opts.tenant,
          userId: opts.user,
          ttlSec: opts.ttl,
          ...(opts.org ? { orgId: opts.org } : {}),
          ...(opts.groups ? { groups: opts.groups } : {}),
        });
        process.stdout.write(`${token}\n`);
      },
    );
}

export function tenantId(value: string): string {
  if (!TENANT_ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(
      'a tenant id is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
    );
  }
  return value;
}

/** A token lifetime: a positive integer no host refuses. */
export function tokenTtl(value: string): number {
  const n = positiveInt(value);
  if (n > MAX_DEV_TOKEN_TTL_SEC)
    throw new InvalidArgumentError(
      `at most ${MAX_DEV_TOKEN_TTL_SEC} seconds: hosts refuse tokens that live longer`,
    );
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}
