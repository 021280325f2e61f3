// `npm run bench`: every benchmark, each figure printed with its ratio to a
// baseline measured in the same run. Pass names to run a subset:
// `npm run bench -- service-host`.
import { benchAgents } from './agents.bench.js';
import { benchDev } from './dev.bench.js';
import { benchEvents } from './events.bench.js';
import { benchExtensions } from './extensions.bench.js';
import { benchKafka } from './kafka.bench.js';
import { benchPersistence } from './persistence.bench.js';
import { benchProcessDefinition } from './process-definition.bench.js';
import { benchProcessRuntime } from './process-runtime.bench.js';
import { benchProjections } from './projections.bench.js';
import { benchServiceHost } from './service-host.bench.js';
import { benchTenancy } from './tenancy.bench.js';
import { benchTransformation } from './transformation.bench.js';

const benches: Record<string, () => Promise<void>> = {
  'service-host': benchServiceHost,
  persistence: benchPersistence,
  events: benchEvents,
  transformation: benchTransformation,
  'process-definition': benchProcessDefinition,
  'process-runtime': benchProcessRuntime,
  dev: benchDev,
  extensions: benchExtensions,
  kafka: benchKafka,
  projections: benchProjections,
  tenancy: benchTenancy,
  agents: benchAgents,
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  await run();
}
