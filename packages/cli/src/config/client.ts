import { join } from 'node:path';
import type { Command } from 'commander';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { resolveHome } from './home.js';
import { savedToken } from './oidc-session.js';

/** Options every command that talks to a running platform takes. */
export function withPlatformOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'platform URL (env AMEIDE_URL)',
      process.env['AMEIDE_URL'] ?? 'http://127.0.0.1:8080',
    )
    .option(
      '--token <jwt>',
      'bearer token (env AMEIDE_TOKEN; default: the token saved by `ameide login`)',
    );
}

/**
 * A client for the running platform: token from --token, AMEIDE_TOKEN, or the
 * file `ameide login` writes (`<home>/token`; refreshed first when an OIDC sign-in left a
 * refresh token and the token is about to expire).
 */
export async function platformClient(cmd: Command): Promise<AmeideClient> {
  const opts = cmd.optsWithGlobals<{ url: string; token?: string; home?: string }>();
  let token = opts.token ?? process.env['AMEIDE_TOKEN'];
  if (!token) {
    const home = resolveHome(opts.home);
    token = await savedToken(home);
    if (!token)
      throw new Error(
        `no token: pass --token, set AMEIDE_TOKEN, or run \`npx ameide login --dev --tenant <id>\` or \`npx ameide login --issuer <url>\` (looked for ${join(home, 'token')})`,
      );
  }
  return createAmeideClient({ baseUrl: opts.url, token });
}
