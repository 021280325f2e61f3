import { Command, InvalidArgumentError } from 'commander';
import { createTokenVerifier, loadOrCreateDevIdentity, startServiceHost } from '@ameide/server';
import { resolveHome } from '../config/home.js';
import { step } from '../config/progress.js';

interface DevOptions {
  port: number;
  host: string;
}

/** `ameide dev`: the whole platform on one machine, on its embedded defaults. */
export function devCommand(): Command {
  return new Command('dev')
    .description('start the platform on this machine with its embedded defaults (state in <home>)')
    .option('--port <n>', 'port of the service host (env AMEIDE_PORT)', port, Number(process.env['AMEIDE_PORT'] ?? 8080))
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .action(async (opts: DevOptions, cmd: Command) => {
      const home = resolveHome(cmd.optsWithGlobals<{ home?: string }>().home);
      const started = performance.now();
      const identity = await step('dev signing key', () => loadOrCreateDevIdentity(home), () => home);
      const host = await step(
        'service host',
        () =>
          startServiceHost({
            port: opts.port,
            hostname: opts.host,
            verifier: createTokenVerifier({ issuer: identity.issuer, audience: identity.audience, jwks: identity.jwks }),
          }),
        (h) => h.services.join(', '),
      );
      const total = Math.round(performance.now() - started);
      process.stderr.write(
        `\nAmeide is ready at ${host.url} (${total} ms). Get a token: npx ameide token --tenant demo\n` +
          `Stop with Ctrl-C.\n`,
      );
      await untilSignal();
      process.stderr.write('\nstopping...\n');
      await host.close();
    });
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
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return n;
}
