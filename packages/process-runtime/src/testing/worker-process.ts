// A process worker in its own OS process, for the crash test: configured by environment,
// prints `ready` once polling. Not part of the package API.
import { readFileSync } from 'node:fs';
import { loadOrCreateDevIdentity } from '@ameide/server';
import { createStaticPlanSource } from '../activities/plan-source.js';
import { createDevTokenProvider } from '../activities/token-provider.js';
import { runProcessWorker } from '../worker/run-process-worker.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const identity = await loadOrCreateDevIdentity(env('AMEIDE_DEV_DIR'));
const plans = createStaticPlanSource(
  JSON.parse(readFileSync(env('AMEIDE_PLANS_FILE'), 'utf8')) as never,
);
await runProcessWorker({
  temporalAddress: env('AMEIDE_TEMPORAL_ADDRESS'),
  taskQueue: env('AMEIDE_TASK_QUEUE'),
  plans,
  tokens: createDevTokenProvider(identity),
  serviceUrl: env('AMEIDE_SERVICE_URL'),
  onReady: () => process.stdout.write('ready\n'),
});
