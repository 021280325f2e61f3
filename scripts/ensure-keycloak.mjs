#!/usr/bin/env node
// Keycloak, the identity server of the tenant and OIDC tests and of `ameide dev --keycloak`:
// its Quarkus distribution fetched once from Maven Central with `mvn` into the Ameide cache,
// unpacked and reused. Run before the tests by .ci/run and, when it is missing, by the test
// setup and `ameide dev --keycloak` themselves. As a script it prints the distribution's
// directory on stdout (progress on stderr). Nothing of it is ever committed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Keycloak release the platform is tested against (`KEYCLOAK_VERSION` of @ameide/launch). */
export const KEYCLOAK_VERSION = '26.7.3';

function say(msg) {
  process.stderr.write(`ameide setup: ${msg}\n`);
}

/** `$XDG_CACHE_HOME/ameide/keycloak-<version>`, where the launcher of @ameide/launch looks. */
export function keycloakHomeDir() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'ameide', `keycloak-${KEYCLOAK_VERSION}`);
}

const isDistribution = (dir) => existsSync(join(dir, 'bin', 'kc.sh'));

/**
 * The unpacked Keycloak distribution (`org.keycloak:keycloak-quarkus-dist:<version>:tar.gz`,
 * 176 MB), fetched with `mvn dependency:copy` and unpacked into {@link keycloakHomeDir}
 * (about a minute on a fresh ~/.m2). `AMEIDE_KEYCLOAK_HOME` names a distribution to use
 * instead; with `AMEIDE_TEST_KEYCLOAK_URL` the tests use a running server and nothing is
 * fetched (returns undefined). Returns the directory.
 */
export function ensureKeycloak() {
  if (process.env.AMEIDE_TEST_KEYCLOAK_URL) return undefined;
  const override = process.env.AMEIDE_KEYCLOAK_HOME;
  if (override) {
    if (!isDistribution(override))
      throw new Error(
        `AMEIDE_KEYCLOAK_HOME=${override} is not a Keycloak distribution (no bin/kc.sh)`,
      );
    return override;
  }
  const dir = keycloakHomeDir();
  if (isDistribution(dir)) return dir;
  if (spawnSync('sh', ['-c', 'command -v mvn'], { stdio: 'ignore' }).status !== 0)
    throw new Error(
      `Maven (mvn) is needed to fetch Keycloak ${KEYCLOAK_VERSION}; install it (Debian: apt-get install maven), ` +
        'set AMEIDE_KEYCLOAK_HOME to an unpacked Keycloak distribution, or point the tests at a running ' +
        'server with AMEIDE_TEST_KEYCLOAK_URL=http://admin:password@host:port',
    );
  say(`fetching Keycloak ${KEYCLOAK_VERSION} (176 MB) with Maven into ${dir} (first run only)...`);
  mkdirSync(join(dir, '..'), { recursive: true });
  // Fetched and unpacked in a private folder and renamed into place, so runs that start
  // together never see half a distribution.
  const tmp = mkdtempSync(join(dir, '..', '.fetch-keycloak-'));
  try {
    const r = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        'dependency:copy',
        `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:tar.gz`,
        `-DoutputDirectory=${tmp}`,
      ],
      { cwd: tmp, stdio: ['ignore', 2, 2] },
    );
    if (r.error) throw new Error(`mvn: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`mvn dependency:copy exited with ${r.status}`);
    const archive = readdirSync(tmp).find((f) => f.endsWith('.tar.gz'));
    if (!archive) throw new Error('mvn finished but fetched no Keycloak archive');
    const untar = spawnSync('tar', ['-xzf', archive], { cwd: tmp, stdio: ['ignore', 2, 2] });
    if (untar.status !== 0) throw new Error(`tar -xzf ${archive} exited with ${untar.status}`);
    const unpacked = join(tmp, `keycloak-${KEYCLOAK_VERSION}`);
    if (!isDistribution(unpacked))
      throw new Error(`${archive} holds no keycloak-${KEYCLOAK_VERSION}/bin/kc.sh`);
    try {
      renameSync(unpacked, dir);
    } catch (err) {
      // Another run put it there first.
      if (!isDistribution(dir)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Keycloak ${KEYCLOAK_VERSION}: ${dir}`);
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const dir = ensureKeycloak();
    process.stdout.write(`${dir ?? 'none needed (AMEIDE_TEST_KEYCLOAK_URL is set)'}\n`);
  } catch (err) {
    process.stderr.write(`ameide setup: ${err.message}\n`);
    process.exit(1);
  }
}
