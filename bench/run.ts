// `npm run bench`: every benchmark, each figure printed with its ratio to a
// baseline measured in the same run. Pass names to run a subset:
// `npm run bench -- service-host`. A benchmark's module is imported only when
// it runs, so a subset loads only the packages it measures.
type Bench = () => Promise<void>;

const benches: Record<string, () => Promise<Bench>> = {
  'service-host': async () => (await import('./service-host.bench.js')).benchServiceHost,
  persistence: async () => (await import('./persistence.bench.js')).benchPersistence,
  events: async () => (await import('./events.bench.js')).benchEvents,
  transformation: async () => (await import('./transformation.bench.js')).benchTransformation,
  'process-definition': async () =>
    (await import('./process-definition.bench.js')).benchProcessDefinition,
  'process-runtime': async () => (await import('./process-runtime.bench.js')).benchProcessRuntime,
  'process-engine': async () => (await import('./process-engine.bench.js')).benchProcessEngine,
  dev: async () => (await import('./dev.bench.js')).benchDev,
  extensions: async () => (await import('./extensions.bench.js')).benchExtensions,
  kafka: async () => (await import('./kafka.bench.js')).benchKafka,
  projections: async () => (await import('./projections.bench.js')).benchProjections,
  tenancy: async () => (await import('./tenancy.bench.js')).benchTenancy,
  agents: async () => (await import('./agents.bench.js')).benchAgents,
};

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in benches));
if (unknown.length)
  throw new Error(
    `no benchmark named ${unknown.join(', ')}; there are ${Object.keys(benches).join(', ')}`,
  );
for (const [name, load] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  await (
    await load()
  )();
}
