import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { resolveHome } from './home.js';

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
 * file `ameide login` writes (`<home>/token`).
 */
export async function platformClient(cmd: Command): Promise<AmeideClient> {
  const opts = cmd.optsWithGlobals<{ url: string; token?: string; home?: string }>();
  let token = opts.token ?? process.env['AMEIDE_TOKEN'];
  if (!token) {
    const file = join(resolveHome(opts.home), 'token');
    try {
      token = (await readFile(file, 'utf8')).trim();
    } catch {
      throw new Error(
        `no token: pass --token, set AMEIDE_TOKEN, or run \`npx ameide login --dev --tenant <id>\` (looked for ${file})`,
      );
    }
  }
  return createAmeideClient({ baseUrl: opts.url, token });
}
