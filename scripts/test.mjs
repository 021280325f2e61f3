#!/usr/bin/env node
// `npm test`: installs what the tests need when it is missing, then runs every
// test (unit, integration against real servers, e2e) with Vitest. A first
// argument `unit`, `int` or `e2e` runs one tier alone (`npm test -- unit`: the
// `*.unit.test.ts` files, no servers started, nothing installed). Other
// arguments go to Vitest, e.g. `npm test -- packages/server`. After Vitest it
// runs `go test ./...` in each Go module (operators, sdk/go); the operator
// suites get a real kube-apiserver + etcd built once per machine. Then the
// Python SDK's pytest suite, on the same terms (`unit`: `-m 'not host'`, the
// tests that need no platform host), in a venv ensure.mjs makes on first use
// (for `unit` too) outside the repo.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkNode,
  ensureChromium,
  ensureConnectConformance,
  ensureKubeControlPlane,
  ensureNats,
  ensureNodeModules,
  ensureOperatorBinary,
  ensurePostgres,
  ensurePythonSdkEnv,
  ensureTemporal,
  root,
} from './ensure.mjs';

const TIERS = ['unit', 'int', 'e2e'];
const args = process.argv.slice(2);
const tier = TIERS.includes(args[0]) ? args.shift() : undefined;
const needs = (t) => tier === undefined || tier === t;
// Go modules whose tests `npm test` runs after Vitest: every module for a
// whole run or a tier (`unit` passes -short, which skips the tests that need
// servers; `e2e` has none), none when Vitest gets a file filter.
const goModules = ['operators', 'sdk/go'].filter((d) => existsSync(join(root, d, 'go.mod')));
const runGo = args.length === 0 && tier !== 'e2e' && goModules.length > 0;
const runPython = args.length === 0 && tier !== 'e2e';
let pythonEnv;
try {
  checkNode();
  ensureNodeModules();
  if (tier !== 'unit') {
    ensurePostgres();
    ensureTemporal();
    ensureNats();
    // The server's Connect conformance test runs the official runner.
    ensureConnectConformance();
  }
  if (needs('e2e')) ensureChromium();
  // The operators' envtest suites run a real kube-apiserver + etcd, and the TS tests of tenants
  // on Kubernetes a control plane of their own (deploy/sim/cluster.mjs --control-plane-only).
  if (tier === undefined || tier === 'int') {
    process.env.KUBEBUILDER_ASSETS = ensureKubeControlPlane(['kube-controller-manager']);
    process.env.AMEIDE_OPERATOR_BINARY = ensureOperatorBinary();
  }
  if (runPython) pythonEnv = ensurePythonSdkEnv();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
if (needs('e2e')) {
  // Build the console once up front: end-to-end tests start `ameide dev`, which serves it.
  const build = spawnSync('npm', ['run', 'build', '--silent', '-w', '@ameide/console'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
// A tier is a file-name filter (`.unit.test.ts`); the global setup reads
// AMEIDE_TEST_TIER and starts no servers for unit tests.
const filter = tier ? [`.${tier}.test.ts`] : [];
const r = spawnSync(process.execPath, [vitest, 'run', ...filter, ...args], {
  stdio: 'inherit',
  cwd: root,
  env: tier ? { ...process.env, AMEIDE_TEST_TIER: tier } : process.env,
});
let status = r.status ?? 1;
if (runGo) {
  for (const dir of goModules) {
    process.stderr.write(`\n== go test (${dir})\n`);
    // The simulated-cluster suite alone takes minutes: more than go test's 10-minute default per package.
    const goArgs = ['test', '-timeout', '40m', ...(tier === 'unit' ? ['-short'] : []), './...'];
    const g = spawnSync('go', goArgs, { stdio: 'inherit', cwd: join(root, dir) });
    if (g.error) process.stderr.write(`go test (${dir}): ${g.error.message}\n`);
    if (g.status !== 0) status = status || (g.status ?? 1);
  }
}
if (runPython) status = runPythonTests({ unit: tier === 'unit' }) || status;
process.exit(status);

/** pytest in sdk/python (its contract tests start the platform host themselves). */
function runPythonTests({ unit }) {
  process.stderr.write('\n== pytest (sdk/python)\n');
  const p = spawnSync(pythonEnv.python, ['-m', 'pytest', ...(unit ? ['-m', 'not host'] : [])], {
    stdio: 'inherit',
    cwd: join(root, 'sdk', 'python'),
  });
  if (p.error) process.stderr.write(`pytest: ${p.error.message}\n`);
  return p.status ?? 1;
}
