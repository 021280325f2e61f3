import {
  DEFAULT_APP_ROLE,
  ensureAppRole,
  migrate,
  migratePlatform,
  quoteIdentifier,
  sqlStateOf,
  TENANT_SETTING,
  type Database,
  type Transaction,
} from '@ameide/persistence';
import { ensureRelayRole, eventTablesMigration } from '@ameide/events';
import type {
  ColumnType,
  ProjectionDefinition,
  TableDefinition,
} from '../definition/projection-definition.js';

/**
 * The role projection handlers' changes are written as: it alone may write
 * read-model tables (under tenant RLS, like the app role), so the app role
 * that serves queries has SELECT only and no SQL route can change a read
 * model. NOLOGIN, no BYPASSRLS (checked at start).
 */
export const PROJECTOR_ROLE = 'ameide_projector';

/** Schema a projection owns: `projection_<name>` (`-` → `_`). */
export function projectionSchema(name: string): string {
  return `projection_${name.replaceAll('-', '_')}`;
}

/** Which copy of the tables a consumer writes: the serving one, or a rebuild's shadow. */
export type TableCopy = 'serving' | 'shadow';

/** Physical name of a table copy. */
export function physicalTable(table: string, copy: TableCopy): string {
  return copy === 'serving' ? table : `${table}__rebuild`;
}

const SQL_TYPES: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  boolean: 'boolean',
  jsonb: 'jsonb',
  timestamptz: 'timestamptz',
};

const tenantMatches = `tenant_id = nullif(current_setting('${TENANT_SETTING}', true), '')`;

/**
 * DDL of one copy of a table: tenant RLS for the projector (all) and the app role (SELECT only).
 * Index and key names carry the generation, so they stay unique when the copy is renamed.
 */
export function createTableSql(
  schema: string,
  table: TableDefinition,
  copy: TableCopy,
  generation: number,
): string {
  const s = quoteIdentifier(schema, 'schema');
  const name = physicalTable(table.name, copy);
  const q = `${s}.${quoteIdentifier(name, 'table')}`;
  const app = quoteIdentifier(DEFAULT_APP_ROLE, 'appRole');
  const columns = Object.entries(table.columns).map(
    ([c, t]) => `  ${quoteIdentifier(c, 'column')} ${SQL_TYPES[t]}`,
  );
  const key = ['tenant_id', ...table.primaryKey]
    .map((c) => quoteIdentifier(c, 'column'))
    .join(', ');
  const indexes = (table.indexes ?? []).map(
    (cols, i) =>
      `CREATE INDEX ${quoteIdentifier(`${table.name}_g${generation}_i${i}`, 'index')} ON ${q} (tenant_id, ${cols.map((c) => quoteIdentifier(c, 'column')).join(', ')});`,
  );
  return `
CREATE TABLE ${q} (
  tenant_id text NOT NULL,
${columns.join(',\n')},
  CONSTRAINT ${quoteIdentifier(`${table.name}_g${generation}_pkey`, 'constraint')} PRIMARY KEY (${key})
);
${indexes.join('\n')}
SELECT ameide.enable_tenant_rls('${schema}.${name}', '${PROJECTOR_ROLE}');
CREATE POLICY tenant_reads ON ${q} FOR SELECT TO ${app} USING (${tenantMatches});
GRANT USAGE ON SCHEMA ${s} TO ${app};
GRANT SELECT ON ${q} TO ${app};`;
}

/** Metadata of a projection (no tenant data): serving generation and definition hash. */
const metaMigration = (schema: string) => ({
  version: 2,
  name: 'projection_meta',
  sql: `
CREATE TABLE ${quoteIdentifier(schema, 'schema')}.projection_meta (
  name             text PRIMARY KEY,
  generation       int  NOT NULL,
  definition_hash  text NOT NULL,
  swapped_at       timestamptz NOT NULL DEFAULT now()
);`,
});

/** The serving generation of a projection and the definition hash its tables were built for. */
export interface ServingMeta {
  readonly generation: number;
  readonly definitionHash: string;
}

/**
 * Creates what a projection needs (owner connection): the projector, app and
 * relay roles, the projection's schema with the events kit's consumer tables
 * (inbox, aggregate positions, dead letters; written as the projector) and
 * its metadata, and, the first time, generation 1 of its tables. Safe to run
 * again: existing tables are kept (a changed definition is rebuilt by the
 * runner, never altered in place).
 */
export async function prepareProjectionSchema(
  db: Database,
  definition: ProjectionDefinition,
  hash: string,
): Promise<ServingMeta> {
  await ensureAppRole(db);
  await ensureAppRole(db, { role: PROJECTOR_ROLE });
  await ensureRelayRole(db);
  await migratePlatform(db);
  const schema = projectionSchema(definition.name);
  await migrate(db, {
    schema,
    migrations: [
      eventTablesMigration(schema, 1, { appRole: PROJECTOR_ROLE }),
      metaMigration(schema),
    ],
  });
  return db.transaction(async (tx) => {
    const s = quoteIdentifier(schema, 'schema');
    const { rows } = await tx.query<{ generation: number; definition_hash: string }>(
      `SELECT generation, definition_hash FROM ${s}.projection_meta WHERE name = $1 FOR UPDATE`,
      [definition.name],
    );
    if (rows[0]) return { generation: rows[0].generation, definitionHash: rows[0].definition_hash };
    for (const t of definition.tables) await tx.exec(createTableSql(schema, t, 'serving', 1));
    await tx.query(
      `INSERT INTO ${s}.projection_meta (name, generation, definition_hash) VALUES ($1, 1, $2)`,
      [definition.name, hash],
    );
    return { generation: 1, definitionHash: hash };
  });
}

/** Drops any shadow copy left by an interrupted rebuild and creates a fresh one. */
export async function createShadowTables(
  tx: Transaction,
  definition: ProjectionDefinition,
  generation: number,
): Promise<void> {
  const schema = projectionSchema(definition.name);
  const s = quoteIdentifier(schema, 'schema');
  for (const t of definition.tables) {
    await tx.query(
      `DROP TABLE IF EXISTS ${s}.${quoteIdentifier(physicalTable(t.name, 'shadow'), 'table')}`,
    );
    await tx.exec(createTableSql(schema, t, 'shadow', generation));
  }
}

/**
 * The swap of a rebuild, in the caller's transaction: the shadow copy becomes
 * the serving one under the serving names (readers see the old tables until
 * the transaction commits, the new ones after), the old copy is dropped, and
 * the serving generation and definition hash move on. Fails with SQLSTATE
 * 55P03 when a reader holds one of the tables: retry it (see {@link swapWhenFree}).
 */
export async function swapShadowTables(
  tx: Transaction,
  definition: ProjectionDefinition,
  generation: number,
  hash: string,
): Promise<void> {
  const schema = projectionSchema(definition.name);
  const s = quoteIdentifier(schema, 'schema');
  // All serving tables at once and without waiting: a reader joining two of them holds a lock on
  // one while it asks for the other, so a swap that waited for one of them could deadlock it.
  await tx.query(
    `LOCK TABLE ${definition.tables
      .flatMap((t) => [t.name, physicalTable(t.name, 'shadow')])
      .map((n) => `${s}.${quoteIdentifier(n, 'table')}`)
      .join(', ')} IN ACCESS EXCLUSIVE MODE NOWAIT`,
  );
  for (const t of definition.tables) {
    const serving = quoteIdentifier(t.name, 'table');
    const old = quoteIdentifier(`${t.name}__old`, 'table');
    await tx.query(`ALTER TABLE ${s}.${serving} RENAME TO ${old}`);
    await tx.query(
      `ALTER TABLE ${s}.${quoteIdentifier(physicalTable(t.name, 'shadow'), 'table')} RENAME TO ${serving}`,
    );
    await tx.query(`DROP TABLE ${s}.${old}`);
  }
  await tx.query(
    `UPDATE ${s}.projection_meta SET generation = $2, definition_hash = $3, swapped_at = now() WHERE name = $1`,
    [definition.name, generation, hash],
  );
}

/**
 * Runs {@link swapShadowTables} until it gets every table's lock without waiting (readers are
 * short: a few attempts usually do), so it never waits while holding a lock.
 */
export async function swapWhenFree(
  db: Database,
  definition: ProjectionDefinition,
  generation: number,
  hash: string,
  attempts = 500,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction((tx) => swapShadowTables(tx, definition, generation, hash));
      return;
    } catch (err) {
      if (sqlStateOf(err) !== '55P03' || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
}
