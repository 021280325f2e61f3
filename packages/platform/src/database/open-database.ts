import { mkdir } from 'node:fs/promises';
import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';

/**
 * Where the platform keeps its data: a Postgres server, PGlite (in `pgliteDir`,
 * in memory without it), or a database the caller opened (and closes).
 */
export type DatabaseConfig =
  | { readonly postgresUrl: string; readonly poolMax?: number }
  | { readonly pglite: true; readonly pgliteDir?: string }
  | { readonly db: Database };

/** An open database and whether its opener must close it. */
export interface OpenedDatabase {
  readonly db: Database;
  /** `false` when the caller passed the database in. */
  readonly owned: boolean;
  /** For messages: `Postgres postgres://app:***@db/ameide`, `PGlite in /data`, ... */
  readonly description: string;
}

/**
 * Opens the database and checks that it answers; a Postgres server that does
 * not is named (password redacted) in the error.
 */
export async function openDatabase(config: DatabaseConfig): Promise<OpenedDatabase> {
  if ('db' in config) return { db: config.db, owned: false, description: 'given database' };
  if ('postgresUrl' in config) {
    const db = createPgDatabase({
      url: config.postgresUrl,
      ...(config.poolMax !== undefined ? { pool: { max: config.poolMax } } : {}),
    });
    try {
      await db.query('SELECT 1');
    } catch (err) {
      await db.close();
      throw new Error(
        `cannot connect to Postgres at ${redactUrl(config.postgresUrl)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { db, owned: true, description: `Postgres ${redactUrl(config.postgresUrl)}` };
  }
  if (config.pgliteDir === undefined)
    return { db: await createPgliteDatabase(), owned: true, description: 'PGlite in memory' };
  await mkdir(config.pgliteDir, { recursive: true });
  return {
    db: await createPgliteDatabase({ dataDir: config.pgliteDir }),
    owned: true,
    description: `PGlite in ${config.pgliteDir}`,
  };
}

/** The URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
