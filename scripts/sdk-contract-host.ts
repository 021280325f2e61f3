// The platform host the Go and Python SDK contract tests call: the composition
// root `ameide dev` runs (createPlatform: Transformation, sales, EventService,
// the real interceptor chain and token verification) on in-memory PGlite,
// without ProcessService (no Temporal). Its signing key is the dev key of
// <home>, so `ameide token --home <home>` mints tokens it trusts.
//
//   node --import tsx scripts/sdk-contract-host.ts <home>
//
// Prints one JSON line `{"url": "http://127.0.0.1:<port>"}` on stdout once it
// serves, and stops on SIGTERM/SIGINT or when its stdin closes (so a test
// process that dies takes the host with it).
import { createPlatform } from '@ameide/platform';
import { loadOrCreateDevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';

const home = process.argv[2];
if (!home) {
  process.stderr.write('usage: node --import tsx scripts/sdk-contract-host.ts <home>\n');
  process.exit(2);
}

const identity = await loadOrCreateDevIdentity(home);
const platform = await createPlatform({
  database: { pglite: true },
  identity,
  services: ['sales', 'events'],
  host: { port: 0, hostname: '127.0.0.1' },
  logger: createSilentLogger({ type: 'platform', name: 'sdk-contract-host' }),
  // Follow-mode tails see new events quickly.
  events: { pollMs: 50 },
  retention: false,
});
process.stdout.write(`${JSON.stringify({ url: platform.url })}\n`);

let closing = false;
async function stop(): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await platform.close();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`sdk-contract-host: close failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
