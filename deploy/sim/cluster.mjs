#!/usr/bin/env node
// A local Kubernetes cluster from real components, with simulated nodes:
// etcd, kube-apiserver, kube-controller-manager and kube-scheduler built from
// the pinned Kubernetes release (operators/hack/control-plane.sh, the same
// cache the operators' envtest uses) plus kwok, which simulates nodes and pod
// lifecycles. Deployments, ReplicaSets, Jobs and Pods go through their real
// controllers and become Available/Complete without containers.
//
//   node deploy/sim/cluster.mjs up      [--dir DIR] [--nodes N] [--json]
//   node deploy/sim/cluster.mjs down    [--dir DIR]
//   node deploy/sim/cluster.mjs status  [--dir DIR]
//   node deploy/sim/cluster.mjs restart <etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok> [--dir DIR]
//
// `up` writes DIR/kubeconfig (also printed) and returns once the API server
// is ready, the nodes are Ready and the controllers work; the processes keep
// running in the background until `down`. Logs are in DIR/logs. The
// prometheus-operator ServiceMonitor, Gateway API and CloudNativePG CRDs are
// installed so the operators' children apply.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
const CONTROL_PLANE = ['etcd', 'kube-apiserver', 'kube-controller-manager'];
const KWOK_VERSION = 'v0.8.0';
const NODE_ANNOTATION = 'kwok.x-k8s.io/node';

function say(msg) {
  process.stderr.write(`ameide cluster: ${msg}\n`);
}

function fail(msg, code = 1) {
  say(msg);
  process.exit(code);
}

const USAGE = `usage: node deploy/sim/cluster.mjs <up|down|status|restart COMPONENT> [options]

  up        start etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok,
            create simulated nodes, install third-party CRDs; prints the kubeconfig path
  down      stop every process of the cluster and delete its state
  status    print which components run (exit 1 when the cluster is not up)
  restart   stop and start one component with the same flags (fault tests)

options:
  --dir DIR     state directory (default: $AMEIDE_SIM_DIR or ~/.cache/ameide/sim/default)
  --nodes N     simulated nodes (default 3)
  --json        up: print {"kubeconfig", "server", "token", "dir"} as JSON
  --control-plane-only
                up: etcd, kube-apiserver and kube-controller-manager only (no scheduler,
                no kwok, no nodes, no third-party CRDs): for tests of API objects and
                their controllers (namespaces, garbage collection), not of pods
  -h, --help    this help

Binaries are built once per machine from the Go module proxy (first run: ~15 minutes).`;

function parseArgs(argv) {
  const opts = { nodes: 3, json: false, controlPlaneOnly: false, dir: undefined, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a === '--dir') opts.dir = argv[++i];
    else if (a === '--nodes') {
      opts.nodes = Number(argv[++i]);
      if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > 100)
        fail(`--nodes must be an integer from 1 to 100, got ${argv[i]}`, 2);
    } else if (a === '--json') opts.json = true;
    else if (a === '--control-plane-only') opts.controlPlaneOnly = true;
    else if (a.startsWith('-')) fail(`unknown option ${a}\n\n${USAGE}`, 2);
    else opts.positional.push(a);
  }
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  opts.dir ??= process.env.AMEIDE_SIM_DIR || join(cache, 'ameide', 'sim', 'default');
  return opts;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr ?? ''}`.trim());
  return r.stdout ?? '';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function statePath(dir) {
  return join(dir, 'state.json');
}

function readState(dir) {
  const p = statePath(dir);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : undefined;
}

function writeState(dir, state) {
  writeFileSync(statePath(dir), JSON.stringify(state, null, 2));
}

/** The component binaries, built or reused. */
function binaries(components) {
  const script = join(root, 'operators', 'hack', 'control-plane.sh');
  const out = run('bash', [script, ...components, 'kubectl'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop();
}

/** CA, API server serving cert, service-account key pair, admin token. */
function makeCredentials(dir) {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true });
  const o = (args) => run('openssl', args, { cwd: pki });
  o(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt'].concat(
      ['-days', '3650', '-subj', '/CN=ameide-sim-ca'],
    ),
  );
  o(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'apiserver.key',
      '-out',
      'apiserver.csr',
    ].concat(['-subj', '/CN=kube-apiserver']),
  );
  writeFileSync(
    join(pki, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n',
  );
  o(
    ['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key'].concat([
      '-CAcreateserial',
      '-out',
      'apiserver.crt',
      '-days',
      '3650',
      '-extfile',
      'san.ext',
    ]),
  );
  o(['genrsa', '-out', 'sa.key', '2048']);
  o(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
  const token = randomBytes(24).toString('hex');
  // Static token auth: one cluster-admin identity for the admin, the
  // controllers and kwok (a simulated cluster on one machine, not a
  // production identity model).
  writeFileSync(
    join(pki, 'tokens.csv'),
    `${token},ameide-sim-admin,ameide-sim-admin,system:masters\n`,
  );
  return { pki, token };
}

function kubeconfig(server, ca, token) {
  return `apiVersion: v1
kind: Config
clusters:
- name: ameide-sim
  cluster:
    server: ${server}
    certificate-authority: ${ca}
users:
- name: ameide-sim-admin
  user:
    token: ${token}
contexts:
- name: ameide-sim
  context:
    cluster: ameide-sim
    user: ameide-sim-admin
current-context: ameide-sim
`;
}

/** kwok's node and pod stages from its own module, plus Ameide's fault stages. */
function kwokConfig(dir) {
  const out = run('go', ['mod', 'download', '-json', `sigs.k8s.io/kwok@${KWOK_VERSION}`], {
    cwd: '/tmp',
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  const mod = JSON.parse(out).Dir;
  const stage = (p) => readFileSync(join(mod, 'kustomize', 'stage', p), 'utf8').trim();
  const docs = [
    stage('node/fast/node-initialize.yaml'),
    stage('node/heartbeat-with-lease/node-heartbeat-with-lease.yaml'),
    stage('pod/fast/pod-ready.yaml'),
    stage('pod/fast/pod-complete.yaml'),
    stage('pod/fast/pod-delete.yaml'),
    readFileSync(join(root, 'deploy', 'sim', 'fault-stages.yaml'), 'utf8').trim(),
  ];
  const file = join(dir, 'kwok.yaml');
  writeFileSync(file, docs.join('\n---\n') + '\n');
  return file;
}

/** Argument lists per component (stored so `restart` reuses them). */
function componentArgs(dir, ports, pki) {
  const kc = join(dir, 'kubeconfig');
  return {
    etcd: [
      '--name=ameide-sim',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${ports.etcd}`,
      `--advertise-client-urls=http://127.0.0.1:${ports.etcd}`,
      `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
      `--initial-cluster=ameide-sim=http://127.0.0.1:${ports.etcdPeer}`,
      '--quota-backend-bytes=4294967296',
      '--log-level=warn',
    ],
    'kube-apiserver': [
      `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // Loopback cannot be the kubernetes Service's endpoint; nothing in the
      // simulation dials it through the Service.
      '--endpoint-reconciler-type=none',
      `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${join(pki, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(pki, 'apiserver.key')}`,
      `--client-ca-file=${join(pki, 'ca.crt')}`,
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      '--profiling=false',
      '--v=0',
    ],
    'kube-controller-manager': [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`,
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'ca.crt')}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      '--controllers=*',
      // client-go's default 20 requests/s would make the simulated cluster's own
      // controllers the bottleneck of every scale figure.
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      // Simulated nodes stop heartbeating only when a test says so; evict fast then.
      '--node-monitor-grace-period=20s',
      '--v=0',
    ],
    'kube-scheduler': [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.scheduler}`,
      '--leader-elect=false',
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      '--v=0',
    ],
    kwok: [
      `--kubeconfig=${kc}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${NODE_ANNOTATION}=fake`,
      '--node-lease-duration-seconds=40',
      '--cidr=10.0.0.0/16',
      '--node-ip=10.0.0.1',
      `--server-address=127.0.0.1:${ports.kwok}`,
      `--config=${join(dir, 'kwok.yaml')}`,
      '-v=WARN',
    ],
  };
}

function start(dir, state, name) {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const fd = openSync(join(logs, `${name}.log`), 'a');
  const child = spawn(join(state.bin, name), state.args[name], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  state.pids[name] = child.pid;
  writeState(dir, state);
}

async function stop(pid, name) {
  if (!pid || !alive(pid)) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
  }
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    say(`${name} (pid ${pid}) did not stop on SIGTERM within 10 s; killing it`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
}

function kubectl(state, args, input) {
  return run(join(state.bin, 'kubectl'), ['--kubeconfig', state.kubeconfig, ...args], {
    input,
    stdio: input === undefined ? ['ignore', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
}

async function waitFor(what, timeoutMs, check, state) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    for (const name of COMPONENTS) {
      const pid = state.pids[name];
      if (pid && !alive(pid)) {
        const log = join(state.dir, 'logs', `${name}.log`);
        const tail = existsSync(log)
          ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')
          : '';
        throw new Error(`${name} exited while waiting for ${what}; last log lines:\n${tail}`);
      }
    }
    try {
      if (await check()) return;
    } catch (err) {
      last = err.message;
    }
    await sleep(300);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last}` : ''}`,
  );
}

function nodeManifest(i) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `kwok-node-${i}`,
      annotations: { [NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': `kwok-node-${i}`,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '250' },
      capacity: { cpu: '32', memory: '256Gi', pods: '250' },
    },
  };
}

/** The components a cluster's state says it runs (every one, unless --control-plane-only). */
const componentsOf = (state) => state.components ?? COMPONENTS;

async function up(opts) {
  const components = opts.controlPlaneOnly ? CONTROL_PLANE : COMPONENTS;
  const existing = readState(opts.dir);
  if (
    existing &&
    componentsOf(existing).join() === components.join() &&
    components.every((c) => alive(existing.pids[c]))
  ) {
    say(`already up (${opts.dir})`);
    return print(existing, opts);
  }
  if (existing) {
    say('a previous cluster in this directory is partly stopped; replacing it');
    await down(opts);
  }
  const t0 = Date.now();
  mkdirSync(opts.dir, { recursive: true });
  const bin = binaries(components);
  const { pki, token } = makeCredentials(opts.dir);
  if (!opts.controlPlaneOnly) kwokConfig(opts.dir);
  const ports = {};
  for (const k of ['etcd', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok'])
    ports[k] = await freePort();
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kc = join(opts.dir, 'kubeconfig');
  writeFileSync(kc, kubeconfig(server, join(pki, 'ca.crt'), token), { mode: 0o600 });
  const state = {
    dir: opts.dir,
    bin,
    server,
    token,
    kubeconfig: kc,
    ports,
    components,
    pids: {},
    args: componentArgs(opts.dir, ports, pki),
  };
  writeState(opts.dir, state);
  try {
    start(opts.dir, state, 'etcd');
    start(opts.dir, state, 'kube-apiserver');
    await waitFor('the API server to be ready', 120_000, () => readyz(state), state);
    start(opts.dir, state, 'kube-controller-manager');
    if (opts.controlPlaneOnly) {
      await controllersWork(state);
      say(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${server} (control plane only)`);
      return print(state, opts);
    }
    start(opts.dir, state, 'kube-scheduler');
    start(opts.dir, state, 'kwok');
    const nodes = Array.from({ length: opts.nodes }, (_, i) => nodeManifest(i));
    kubectl(
      state,
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }),
    );
    const crds = run('bash', [
      join(root, 'deploy', 'hack', 'third-party-crds.sh'),
      'prometheus',
      'gateway',
      'cnpg',
    ])
      .trim()
      .split('\n');
    kubectl(state, ['apply', '--server-side', ...crds.flatMap((f) => ['-f', f])]);
    await waitFor(
      `${opts.nodes} simulated nodes to be Ready`,
      60_000,
      () => {
        const out = kubectl(state, [
          'get',
          'nodes',
          '-o',
          'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        ]);
        return out.split('\n').filter((s) => s === 'True').length >= opts.nodes;
      },
      state,
    );
    await controllersWork(state);
    await waitFor(
      'the third-party CRDs to be established',
      60_000,
      () => {
        kubectl(state, ['wait', '--for=condition=Established', '--timeout=5s', 'crd', '--all']);
        return true;
      },
      state,
    );
  } catch (err) {
    say(`${err.message}\nstopping what was started; logs: ${join(opts.dir, 'logs')}`);
    for (const c of [...components].reverse()) await stop(state.pids[c], c);
    process.exit(1);
  }
  say(
    `up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${server} (${opts.nodes} simulated nodes)`,
  );
  print(state, opts);
}

/** The controller manager works once it made the default namespace's ServiceAccount. */
function controllersWork(state) {
  return waitFor(
    'the controllers (default ServiceAccount)',
    60_000,
    () => {
      kubectl(state, ['get', 'serviceaccount', 'default', '-n', 'default']);
      return true;
    },
    state,
  );
}

async function readyz(state) {
  const r = spawnSync(
    join(state.bin, 'kubectl'),
    ['--kubeconfig', state.kubeconfig, 'get', '--raw', '/readyz'],
    {
      encoding: 'utf8',
    },
  );
  return r.status === 0 && r.stdout.trim() === 'ok';
}

function print(state, opts) {
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        kubeconfig: state.kubeconfig,
        server: state.server,
        token: state.token,
        dir: state.dir,
      }) + '\n',
    );
  } else process.stdout.write(state.kubeconfig + '\n');
}

async function down(opts) {
  const state = readState(opts.dir);
  if (!state) {
    say(`no cluster in ${opts.dir}`);
    return;
  }
  for (const c of [...componentsOf(state)].reverse()) await stop(state.pids[c], c);
  rmSync(opts.dir, { recursive: true, force: true });
  say(`down (${opts.dir} removed)`);
}

async function status(opts) {
  const state = readState(opts.dir);
  if (!state) fail(`no cluster in ${opts.dir}`);
  let allUp = true;
  for (const c of componentsOf(state)) {
    const ok = alive(state.pids[c]);
    allUp &&= ok;
    process.stdout.write(`${c.padEnd(24)} ${ok ? `running (pid ${state.pids[c]})` : 'stopped'}\n`);
  }
  process.stdout.write(`kubeconfig               ${state.kubeconfig}\n`);
  process.exit(allUp ? 0 : 1);
}

async function restart(opts, name) {
  if (!COMPONENTS.includes(name))
    fail(`restart: unknown component ${name ?? '(none)'}; one of ${COMPONENTS.join(', ')}`, 2);
  const state = readState(opts.dir);
  if (!state) fail(`no cluster in ${opts.dir}`);
  await stop(state.pids[name], name);
  start(opts.dir, state, name);
  if (name === 'kube-apiserver' || name === 'etcd')
    await waitFor('the API server to be ready again', 120_000, () => readyz(state), state);
  say(`${name} restarted (pid ${state.pids[name]})`);
}

const opts = parseArgs(process.argv.slice(2));
const [cmd, arg] = opts.positional;
const commands = {
  up: () => up(opts),
  down: () => down(opts),
  status: () => status(opts),
  restart: () => restart(opts, arg),
};
if (!commands[cmd]) fail(`${cmd ? `unknown command ${cmd}` : 'no command'}\n\n${USAGE}`, 2);
commands[cmd]().catch((err) => fail(err.message));
