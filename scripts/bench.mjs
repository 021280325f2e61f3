#!/usr/bin/env node
// `npm run bench`: installs what the benchmarks need (npm dependencies,
// Postgres binaries), then runs bench/run.ts. Arguments select benchmarks.
// Two Go benchmarks run only when named, since each takes minutes:
// `operators` (operators/bench: reconcile latency and throughput against
// envtest) and `cluster` (operators/bench/cluster: 200 then 1,000 CRs on the
// simulated cluster).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  checkNode,
  ensureKubeControlPlane,
  ensureNats,
  ensureNodeModules,
  ensurePostgres,
  ensureTemporal,
  root,
} from './ensure.mjs';
import { ensureKafka } from './ensure-kafka.mjs';
import { ensureKeycloak } from './ensure-keycloak.mjs';

try {
  checkNode();
  ensureNodeModules();
  ensurePostgres();
  ensureNats();
  ensureTemporal();
  const named = process.argv.slice(2);
  if (named.length === 0 || named.includes('kafka')) ensureKafka();
  if ((named.length === 0 || named.includes('tenancy')) && !process.env.AMEIDE_BENCH_KEYCLOAK_URL)
    ensureKeycloak();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
const GO_BENCHES = { operators: './bench', cluster: './bench/cluster' };
const args = process.argv.slice(2);
const goBenches = args.filter((a) => a in GO_BENCHES);
const tsArgs = args.filter((a) => !(a in GO_BENCHES));
let status = 0;
if (tsArgs.length > 0 || goBenches.length === 0) {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = spawnSync(process.execPath, [tsx, join(root, 'bench', 'run.ts'), ...tsArgs], {
    stdio: 'inherit',
    cwd: root,
  });
  status = r.status ?? 1;
}
for (const name of goBenches) {
  const env = {
    ...process.env,
    KUBEBUILDER_ASSETS: ensureKubeControlPlane(['kube-controller-manager']),
  };
  process.stderr.write(`\n== go run ${GO_BENCHES[name]} (operators)\n`);
  const g = spawnSync('go', ['run', GO_BENCHES[name]], {
    stdio: 'inherit',
    cwd: join(root, 'operators'),
    env,
  });
  if (g.status !== 0) status = status || (g.status ?? 1);
}
process.exit(status);
