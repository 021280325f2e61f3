import { resolve } from 'node:path';

/**
 * Directory where the embedded mode keeps its state: dev signing key, dev
 * token, PGlite data. `--home`, else `AMEIDE_HOME`, else `./.ameide`.
 */
export function resolveHome(option: string | undefined): string {
  return resolve(option ?? process.env['AMEIDE_HOME'] ?? '.ameide');
}
