#!/usr/bin/env node
// Kafka (KRaft, broker and controller in one JVM), the analytics transport the event tests run
// against: its jars fetched once from Maven Central with `mvn` into the Ameide cache and reused.
// Run before the tests by .ci/run and, when the jars are missing, by the test setup itself. As a
// script it prints the jar directory on stdout (progress on stderr). No jar is ever committed.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Kafka release the platform is tested against (`KAFKA_VERSION` of @ameide/launch). */
export const KAFKA_VERSION = '4.4.0';

// kafka_2.13 brings the broker and its dependencies; kafka-tools has StorageTool's helpers;
// Kafka 4 logs through log4j 2 behind slf4j (both left to the distribution, not the jars).
const ARTIFACTS = [
  ['org.apache.kafka', 'kafka_2.13', KAFKA_VERSION],
  ['org.apache.kafka', 'kafka-tools', KAFKA_VERSION],
  ['org.apache.logging.log4j', 'log4j-core', '2.25.3'],
  ['org.apache.logging.log4j', 'log4j-slf4j2-impl', '2.25.3'],
  ['org.slf4j', 'slf4j-api', '2.0.17'],
];

function say(msg) {
  process.stderr.write(`ameide setup: ${msg}\n`);
}

/** `$XDG_CACHE_HOME/ameide/kafka-<version>/libs`, where the launcher of @ameide/launch looks. */
export function kafkaLibsDir() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'ameide', `kafka-${KAFKA_VERSION}`, 'libs');
}

function hasJars(dir) {
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('kafka_2.13-'));
}

/**
 * The Kafka jars (92 jars, 54 MB), fetched with `mvn dependency:copy-dependencies` of a
 * throw-away pom into {@link kafkaLibsDir} (≈10 s with a warm ~/.m2, longer on a fresh one).
 * `AMEIDE_KAFKA_LIBS` names a jar directory to use instead; with `AMEIDE_TEST_KAFKA_BROKERS`
 * the tests use a running broker and nothing is fetched (returns undefined). Returns the
 * directory.
 */
export function ensureKafka() {
  if (process.env.AMEIDE_TEST_KAFKA_BROKERS) return undefined;
  const override = process.env.AMEIDE_KAFKA_LIBS;
  if (override) {
    if (!hasJars(override)) throw new Error(`AMEIDE_KAFKA_LIBS=${override} holds no Kafka jars`);
    return override;
  }
  const dir = kafkaLibsDir();
  if (hasJars(dir)) return dir;
  if (spawnSync('sh', ['-c', 'command -v mvn'], { stdio: 'ignore' }).status !== 0)
    throw new Error(
      `Maven (mvn) is needed to fetch the Kafka ${KAFKA_VERSION} jars for the event transport tests; ` +
        'install it (Debian: apt-get install maven), set AMEIDE_KAFKA_LIBS to a directory of Kafka jars, ' +
        'or point the tests at a running broker with AMEIDE_TEST_KAFKA_BROKERS=host:port',
    );
  say(`fetching the Kafka ${KAFKA_VERSION} jars with Maven into ${dir} (first run only)...`);
  mkdirSync(join(dir, '..'), { recursive: true });
  // Fetched into a private folder and renamed into place, so runs that start together never
  // see half a jar directory.
  const tmp = mkdtempSync(join(dir, '..', '.fetch-'));
  try {
    const deps = ARTIFACTS.map(
      ([g, a, v]) =>
        `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`,
    ).join('\n    ');
    writeFileSync(
      join(tmp, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.ameide.setup</groupId><artifactId>kafka-libs</artifactId><version>0</version>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`,
    );
    const r = spawnSync(
      'mvn',
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${join(tmp, 'libs')}`,
      ],
      { cwd: tmp, stdio: ['ignore', 2, 2] },
    );
    if (r.error) throw new Error(`mvn: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`mvn dependency:copy-dependencies exited with ${r.status}`);
    if (!hasJars(join(tmp, 'libs'))) throw new Error('mvn finished but fetched no Kafka jars');
    try {
      renameSync(join(tmp, 'libs'), dir);
    } catch (err) {
      // Another run put it there first.
      if (!hasJars(dir)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`Kafka ${KAFKA_VERSION} jars: ${dir} (${readdirSync(dir).length} jars)`);
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const dir = ensureKafka();
    process.stdout.write(`${dir ?? 'none needed (AMEIDE_TEST_KAFKA_BROKERS is set)'}\n`);
  } catch (err) {
    process.stderr.write(`ameide setup: ${err.message}\n`);
    process.exit(1);
  }
}
