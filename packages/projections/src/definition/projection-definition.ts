import { createHash } from 'node:crypto';
import type { EventEnvelope, JsonValue } from '@ameide/events';

/** Column types a projection table may use. `tenant_id` is added to every table by the runtime. */
export type ColumnType = 'text' | 'bigint' | 'integer' | 'boolean' | 'jsonb' | 'timestamptz';

/** One read-model table. Its key always starts with `tenant_id` (added by the runtime). */
export interface TableDefinition {
  /** `[a-z][a-z0-9_]*`. */
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Columns of the key after `tenant_id`. */
  readonly primaryKey: readonly string[];
  /** Extra indexes (column lists, `tenant_id` put first). */
  readonly indexes?: readonly (readonly string[])[];
}

/** A column value: bigint for `bigint`, Date or ISO string for `timestamptz`, any JSON for `jsonb`. */
export type RowValue = bigint | Date | JsonValue;
export type Row = Readonly<Record<string, RowValue>>;

/**
 * A change a handler asks for. `upsert` writes the given columns (inserting the
 * row when its key is new: the other columns are NULL), `update` changes some
 * columns of an existing row (no row: nothing), `delete` removes a row.
 */
export type Change =
  | { readonly op: 'upsert'; readonly table: string; readonly row: Row }
  | { readonly op: 'update'; readonly table: string; readonly key: Row; readonly set: Row } // key: `null` matches NULL
  | { readonly op: 'delete'; readonly table: string; readonly key: Row };

/** Read access to the projection's current state, for the event's tenant, in the handler's transaction. */
export interface ProjectionState {
  /** The row with this key, or undefined. */
  get(table: string, key: Row): Promise<Row | undefined>;
  /** Rows whose columns equal `where` (a `null` matches NULL), ordered by the key (at most `limit`, default 1000). */
  find(table: string, where: Row, limit?: number): Promise<readonly Row[]>;
}

/**
 * A handler: a pure function of (state, event) to the changes it makes. It
 * reads only through `state` and writes nothing itself, so the runtime can
 * point it at the serving tables or at a rebuild's shadow tables, and replaying
 * the log always gives the same read model.
 */
export type ProjectionHandler = (
  event: EventEnvelope,
  state: ProjectionState,
) => Promise<readonly Change[]> | readonly Change[];

/** The events of one domain a projection consumes, by type (after upcasting). */
export interface ProjectionSource {
  readonly domain: string;
  readonly handlers: Readonly<Record<string, ProjectionHandler>>;
}

/** A declared read model: what it consumes, the tables it owns, how events change them. */
export interface ProjectionDefinition {
  /** `[a-z][a-z0-9-]*`, e.g. `order-to-cash`. */
  readonly name: string;
  readonly description: string;
  /** Raise it when handlers change meaning: a new version rebuilds the read model at start. */
  readonly version: number;
  readonly sources: readonly ProjectionSource[];
  readonly tables: readonly TableDefinition[];
}

const PROJECTION_NAME = /^[a-z][a-z0-9-]{0,40}$/;
const SQL_NAME = /^[a-z][a-z0-9_]{0,40}$/;
const COLUMN_TYPES: ReadonlySet<string> = new Set([
  'text',
  'bigint',
  'integer',
  'boolean',
  'jsonb',
  'timestamptz',
]);

/**
 * Checks a definition before anything is created for it; the message names
 * the projection and the part that is wrong.
 *
 * @throws Error for a bad name, table, column, key, or a source without handlers.
 */
export function validateProjectionDefinition(definition: ProjectionDefinition): void {
  const where = `projection ${JSON.stringify(definition.name)}`;
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (!PROJECTION_NAME.test(definition.name)) fail('name must match [a-z][a-z0-9-]{0,40}');
  if (!Number.isInteger(definition.version) || definition.version < 1)
    fail('version must be a positive integer');
  if (definition.sources.length === 0) fail('needs at least one source');
  const tables = new Set<string>();
  for (const t of definition.tables) {
    if (!SQL_NAME.test(t.name))
      fail(`table name ${JSON.stringify(t.name)} must match [a-z][a-z0-9_]*`);
    if (tables.has(t.name)) fail(`table ${t.name} is declared twice`);
    tables.add(t.name);
    for (const [column, type] of Object.entries(t.columns)) {
      if (!SQL_NAME.test(column) || column === 'tenant_id')
        fail(`table ${t.name}: column name ${JSON.stringify(column)} is not allowed`);
      if (!COLUMN_TYPES.has(type))
        fail(`table ${t.name}: column ${column} has unknown type ${type}`);
    }
    if (t.primaryKey.length === 0) fail(`table ${t.name} needs a primary key`);
    for (const c of [...t.primaryKey, ...(t.indexes ?? []).flat()]) {
      if (!(c in t.columns)) fail(`table ${t.name}: key or index column ${c} is not a column`);
    }
  }
  const domains = new Set<string>();
  for (const s of definition.sources) {
    if (domains.has(s.domain)) fail(`source ${s.domain} is declared twice`);
    domains.add(s.domain);
    if (Object.keys(s.handlers).length === 0) fail(`source ${s.domain} handles no event type`);
  }
}

/** sha256 of what decides the read model's shape and content: tables, consumed types, version. */
export function definitionHash(definition: ProjectionDefinition): string {
  const shape = {
    version: definition.version,
    tables: definition.tables.map((t) => ({
      name: t.name,
      columns: Object.entries(t.columns).sort(([a], [b]) => a.localeCompare(b)),
      primaryKey: t.primaryKey,
      indexes: t.indexes ?? [],
    })),
    sources: definition.sources.map((s) => ({
      domain: s.domain,
      types: Object.keys(s.handlers).sort(),
    })),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

/** The event types a source consumes. */
export function sourceTypes(source: ProjectionSource): string[] {
  return Object.keys(source.handlers).sort();
}
