#!/usr/bin/env node
// versitygw, the S3-compatible server (Apache-2.0) the object-store tests run against: built
// once with Go into the Ameide cache and reused. Run before the tests by .ci/run and, when
// the binary is missing, by the test setup itself. As a script it prints the binary's path
// on stdout (progress on stderr).
import { pathToFileURL } from 'node:url';
import { ensureGoBinary } from './ensure.mjs';

/** The versitygw release the platform is tested against (`VERSITYGW_VERSION` of @ameide/launch). */
export const VERSITYGW_VERSION = 'v1.8.0';

/**
 * `versitygw`, built with `go install github.com/versity/versitygw/cmd/versitygw@<version>`
 * (≈1.5-3 minutes on 2 cores, 80 MB) into
 * `$XDG_CACHE_HOME/ameide/bin/versitygw-<version>/versitygw`, where the launcher of
 * @ameide/launch finds it. `AMEIDE_VERSITYGW_BIN` names a binary to use instead; with
 * `AMEIDE_TEST_S3_URL` the tests use a running server and nothing is built (returns
 * undefined). Returns the binary's path.
 */
export function ensureVersitygw() {
  if (process.env.AMEIDE_TEST_S3_URL) return undefined;
  return ensureGoBinary({
    pkg: 'github.com/versity/versitygw/cmd/versitygw',
    version: VERSITYGW_VERSION,
    binary: 'versitygw',
    envVar: 'AMEIDE_VERSITYGW_BIN',
    purpose: 'the object-store tests (S3)',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const path = ensureVersitygw();
    process.stdout.write(`${path ?? `none needed (AMEIDE_TEST_S3_URL is set)`}\n`);
  } catch (err) {
    process.stderr.write(`ameide setup: ${err.message}\n`);
    process.exit(1);
  }
}
