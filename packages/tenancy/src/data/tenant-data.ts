import { createPgDatabase, quoteIdentifier, sqlStateOf, type Database } from '@ameide/persistence';

/** Options of {@link createTenantData}. */
export interface TenantDataOptions {
  /** The platform's shared database. */
  readonly db: Database;
  /**
   * The shared database's Postgres URL, for dedicated databases: they are created on the same
   * server (`CREATE DATABASE`, so its role needs CREATEDB) and reached with the same credentials.
   * Without it (PGlite) only the shared placement exists.
   */
  readonly postgresUrl?: string;
  /** Applies the platform's migrations to a new dedicated database. */
  readonly migrate: (db: Database) => Promise<unknown>;
}

/** Where a tenant's rows are: creating and dropping dedicated databases, erasing shared rows. */
export interface TenantData {
  readonly dedicatedAvailable: boolean;
  /** The dedicated database's name for a tenant (`ameide_t_<tenant>`, lower case, `_` for other characters). */
  databaseNameOf(tenantId: string): string;
  /** Creates the tenant's database when missing and migrates it; returns its name. */
  ensureDedicated(tenantId: string): Promise<string>;
  /** The open dedicated database (opened on first use). */
  open(databaseName: string): Promise<Database>;
  /**
   * A new one-connection handle on a dedicated database, closed by whoever asked for it: for
   * what holds a session of its own (a relay's lease is a session advisory lock).
   */
  connect(databaseName: string): Database;
  dropDedicated(databaseName: string): Promise<void>;
  /**
   * Deletes every row of the tenant from every table with a `tenant_id` column in the shared
   * database, in one transaction; returns the rows deleted per table (non-zero only).
   */
  eraseShared(tenantId: string): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function createTenantData(options: TenantDataOptions): TenantData {
  const opened = new Map<string, Database>();
  const urlOf = (name: string) => {
    const url = new URL(options.postgresUrl!);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const databaseNameOf = (tenantId: string) =>
    `ameide_t_${tenantId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
  const open = (name: string): Promise<Database> => {
    let db = opened.get(name);
    if (!db) {
      if (!options.postgresUrl)
        return Promise.reject(new Error('dedicated databases need a Postgres server'));
      db = createPgDatabase({ url: urlOf(name) });
      opened.set(name, db);
    }
    return Promise.resolve(db);
  };
  return {
    dedicatedAvailable: options.postgresUrl !== undefined,
    databaseNameOf,
    open,
    async ensureDedicated(tenantId) {
      const name = databaseNameOf(tenantId);
      const exists = await options.db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rows.length === 0) {
        try {
          await options.db.query(`CREATE DATABASE ${quoteIdentifier(name, 'database')}`);
        } catch (err) {
          // 42P04: another run created it meanwhile.
          if (sqlStateOf(err) !== '42P04') throw err;
        }
      }
      await options.migrate(await open(name));
      return name;
    },
    connect(name) {
      if (!options.postgresUrl) throw new Error('dedicated databases need a Postgres server');
      return createPgDatabase({ url: urlOf(name), pool: { max: 1 } });
    },
    async dropDedicated(name) {
      await opened.get(name)?.close();
      opened.delete(name);
      await options.db.query(
        `DROP DATABASE IF EXISTS ${quoteIdentifier(name, 'database')} WITH (FORCE)`,
      );
    },
    async eraseShared(tenantId) {
      return options.db.transaction(async (tx) => {
        const tables = await tx.query(
          `SELECT n.nspname AS s, c.relname AS t, c.relforcerowsecurity AS forced
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p')
              AND n.nspname NOT IN ('tenancy', 'pg_catalog', 'information_schema')
            ORDER BY 1, 2`,
        );
        const deleted: Record<string, number> = {};
        // Referencing rows go first: a table whose delete breaks a foreign key is tried again
        // after the others (each attempt in a savepoint), until a pass makes no progress.
        let pending = tables.rows;
        while (pending.length > 0) {
          const blocked: typeof pending = [];
          for (const row of pending) {
            const name = `${quoteIdentifier(String(row['s']), 'schema')}.${quoteIdentifier(String(row['t']), 'table')}`;
            const forced = row['forced'] === true;
            await tx.query('SAVEPOINT erase_table');
            try {
              // The owner is subject to RLS (FORCE) and the event history refuses deletes
              // (triggers): erasing a tenant is the one sanctioned exception, in this transaction only.
              if (forced) await tx.query(`ALTER TABLE ${name} NO FORCE ROW LEVEL SECURITY`);
              await tx.query(`ALTER TABLE ${name} DISABLE TRIGGER USER`);
              const r = await tx.query(`DELETE FROM ${name} WHERE tenant_id = $1`, [tenantId]);
              await tx.query(`ALTER TABLE ${name} ENABLE TRIGGER USER`);
              if (forced) await tx.query(`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`);
              await tx.query('RELEASE SAVEPOINT erase_table');
              if (r.rowCount > 0) deleted[`${String(row['s'])}.${String(row['t'])}`] = r.rowCount;
            } catch (err) {
              await tx.query('ROLLBACK TO SAVEPOINT erase_table');
              if (sqlStateOf(err) !== '23503') throw err;
              blocked.push(row);
            }
          }
          if (blocked.length === pending.length)
            throw new Error(
              `cannot erase tenant ${tenantId}: foreign keys keep rows in ${blocked.map((r) => `${String(r['s'])}.${String(r['t'])}`).join(', ')}`,
            );
          pending = blocked;
        }
        return deleted;
      });
    },
    async close() {
      for (const db of opened.values()) await db.close().catch(() => undefined);
      opened.clear();
    },
  };
}
