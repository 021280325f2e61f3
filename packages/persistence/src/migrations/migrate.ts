import { performance } from 'node:perf_hooks';
import type { Database, Transaction } from '../database/database.js';
import { MigrationError } from '../persistence-error.js';
import { quoteIdentifier } from '../sql-identifier.js';
import { migrationChecksum, scriptOf, type Migration } from './migration.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Schema the migrations belong to. It is created when missing, holds
   * `schema_history`, and leads the `search_path` while the migrations run, so
   * unqualified names in them land in it.
   */
  readonly schema: string;
  /** The whole set, e.g. from `loadMigrations(dir)`; order does not matter. */
  readonly migrations: readonly Migration[];
}

/** A migration applied by one {@link migrate} call. */
export interface AppliedMigration {
  readonly version: number;
  readonly script: string;
  readonly checksum: string;
  /** Milliseconds. */
  readonly executionTime: number;
}

/** What {@link migrate} did. */
export interface MigrateResult {
  readonly schema: string;
  /** Migrations applied by this call, in order; empty when all were applied before. */
  readonly applied: readonly AppliedMigration[];
  /** Highest applied version afterwards (0 for none). */
  readonly currentVersion: number;
}

interface Prepared {
  readonly migration: Migration;
  readonly script: string;
  readonly checksum: string;
}

interface HistoryRow {
  readonly version: number;
  readonly script: string;
  readonly checksum: string;
}

/**
 * Applies the pending migrations of `schema`, Flyway style: each in its own
 * transaction together with its row in `<schema>.schema_history` (version,
 * description, script, sha256 checksum, installed_by, installed_on,
 * execution_time in ms). Applying the same set again does nothing.
 *
 * Before applying anything it checks the set (no duplicate versions, no gaps,
 * starting at 1) and every applied migration against it: one edited since it
 * was applied, or missing from the set, stops the run with nothing applied.
 * A migration that fails is rolled back whole; the ones before it stay.
 * Runs that overlap (several replicas starting at once) serialise on a
 * transaction-level advisory lock per schema and apply each migration once.
 *
 * Run it with the owner role (the admin connection), not the app role.
 * Migrations must not contain transaction control (`COMMIT`) or statements that
 * cannot run in a transaction (`CREATE INDEX CONCURRENTLY`).
 *
 * @throws MigrationError `MIGRATION_INVALID`, `MIGRATION_MISSING`,
 * `MIGRATION_CHECKSUM_MISMATCH` (naming the script and both checksums) or
 * `MIGRATION_FAILED` (with the database error as `cause`).
 */
export async function migrate(db: Database, options: MigrateOptions): Promise<MigrateResult> {
  const { schema } = options;
  const quotedSchema = quoteIdentifier(schema, 'schema');
  const prepared = prepare(schema, options.migrations);

  const history = await db.transaction(async (tx) => {
    await lockSchema(tx, schema);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS ${quotedSchema};
      CREATE TABLE IF NOT EXISTS ${quotedSchema}.schema_history (
        version integer PRIMARY KEY,
        description text NOT NULL,
        script text NOT NULL,
        checksum text NOT NULL,
        installed_by text NOT NULL DEFAULT current_user,
        installed_on timestamptz NOT NULL DEFAULT now(),
        execution_time integer NOT NULL
      );`);
    return readHistory(tx, quotedSchema);
  });
  for (const row of history) verifyApplied(schema, prepared, row);

  const applied: AppliedMigration[] = [];
  const appliedVersions = new Set(history.map((row) => row.version));
  for (const step of prepared) {
    if (appliedVersions.has(step.migration.version)) continue;
    const result = await db.transaction(async (tx) => {
      await lockSchema(tx, schema);
      // Another process may have applied it since we looked.
      const done = await tx.query<HistoryRow>(
        `SELECT version, script, checksum FROM ${quotedSchema}.schema_history WHERE version = $1`,
        [step.migration.version],
      );
      if (done.rows[0]) {
        verifyApplied(schema, prepared, done.rows[0]);
        return undefined;
      }
      return applyOne(tx, schema, quotedSchema, step);
    });
    if (result) applied.push(result);
  }
  return { schema, applied, currentVersion: prepared.at(-1)?.migration.version ?? 0 };
}

async function applyOne(
  tx: Transaction,
  schema: string,
  quotedSchema: string,
  step: Prepared,
): Promise<AppliedMigration> {
  const { migration, script, checksum } = step;
  await tx.query(`SELECT set_config('search_path', $1, true)`, [`${quotedSchema}, public`]);
  const before = await currentTransactionId(tx);
  const started = performance.now();
  try {
    await tx.exec(migration.sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      'MIGRATION_FAILED',
      `Migration ${script} (schema ${schema}) failed and was rolled back: ${message}`,
      { schema, script, version: migration.version },
      error,
    );
  }
  const executionTime = Math.round(performance.now() - started);
  if ((await currentTransactionId(tx)) !== before) {
    throw new MigrationError(
      'MIGRATION_INVALID',
      `Migration ${script} (schema ${schema}) ended the transaction it runs in (COMMIT/ROLLBACK in the script); ` +
        'remove the transaction control statements, each migration already runs in its own transaction',
      { schema, script, version: migration.version },
    );
  }
  await tx.query(
    `INSERT INTO ${quotedSchema}.schema_history (version, description, script, checksum, execution_time)
     VALUES ($1, $2, $3, $4, $5)`,
    [migration.version, migration.name.replaceAll('_', ' '), script, checksum, executionTime],
  );
  return { version: migration.version, script, checksum, executionTime };
}

/** Validates the set and computes checksums; touches no database. */
function prepare(schema: string, migrations: readonly Migration[]): Prepared[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const prepared: Prepared[] = [];
  for (const [index, migration] of sorted.entries()) {
    const script = scriptOf(migration);
    const invalid = (message: string): MigrationError =>
      new MigrationError('MIGRATION_INVALID', message, {
        schema,
        script,
        version: migration.version,
      });
    if (!Number.isSafeInteger(migration.version) || migration.version < 1) {
      throw invalid(
        `Migration ${script} (schema ${schema}) has version ${migration.version}; versions are integers from 1`,
      );
    }
    if (!/^[A-Za-z0-9_]+$/.test(migration.name)) {
      throw invalid(
        `Migration ${script} (schema ${schema}) has name ${JSON.stringify(migration.name)}; use [A-Za-z0-9_]`,
      );
    }
    const previous = prepared[index - 1];
    if (previous && previous.migration.version === migration.version) {
      throw invalid(
        `Migrations ${previous.script} and ${script} (schema ${schema}) have the same version ${migration.version}`,
      );
    }
    const expected = index + 1;
    if (migration.version !== expected) {
      throw invalid(
        `Migration version ${expected} (schema ${schema}) is missing` +
          (previous ? ` between ${previous.script} and ${script}` : ` before ${script}`) +
          '; versions must run 1, 2, 3, ... without gaps',
      );
    }
    prepared.push({ migration, script, checksum: migrationChecksum(migration.sql) });
  }
  return prepared;
}

function verifyApplied(schema: string, prepared: readonly Prepared[], row: HistoryRow): void {
  const step = prepared.find((p) => p.migration.version === row.version);
  if (!step) {
    throw new MigrationError(
      'MIGRATION_MISSING',
      `Migration ${row.script} (version ${row.version}) is applied in schema ${schema} but missing from the migrations given; ` +
        'applied migrations must never be removed',
      { schema, script: row.script, version: row.version, appliedChecksum: row.checksum },
    );
  }
  if (step.checksum !== row.checksum) {
    throw new MigrationError(
      'MIGRATION_CHECKSUM_MISMATCH',
      `Migration ${step.script} (schema ${schema}) was edited after it was applied: ` +
        `applied checksum ${row.checksum}, current checksum ${step.checksum}. ` +
        'Restore the file and put the change in a new migration.',
      {
        schema,
        script: step.script,
        version: row.version,
        appliedChecksum: row.checksum,
        currentChecksum: step.checksum,
      },
    );
  }
}

async function readHistory(tx: Transaction, quotedSchema: string): Promise<HistoryRow[]> {
  const { rows } = await tx.query<HistoryRow>(
    `SELECT version, script, checksum FROM ${quotedSchema}.schema_history ORDER BY version`,
  );
  return rows;
}

/** Serialises migration runs of one schema across processes, until the transaction ends. */
async function lockSchema(tx: Transaction, schema: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `ameide.migrate:${schema}`,
  ]);
}

async function currentTransactionId(tx: Transaction): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(`SELECT pg_current_xact_id()::text AS id`);
  return rows[0]?.id ?? '';
}
