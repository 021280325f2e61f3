import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isMigrationError,
  loadMigrations,
  migrate,
  migrationChecksum,
  sqlStateOf,
  MigrationError,
  type Database,
  type Migration,
} from '@ameide/persistence';
import { engines, type EngineFixture } from '../engines.test-support.js';

const v1: Migration = {
  version: 1,
  name: 'create_orders',
  sql: 'CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL);',
};
const v2: Migration = {
  version: 2,
  name: 'add_order_note',
  sql: `ALTER TABLE orders ADD COLUMN note text;\nINSERT INTO orders VALUES (1, 10, 'seed');`,
};
const v3: Migration = {
  version: 3,
  name: 'create_lines',
  sql: 'CREATE TABLE lines (order_id int);',
};

interface HistoryRow {
  version: number;
  description: string;
  script: string;
  checksum: string;
  installed_on: Date;
  execution_time: number;
}

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMigrationError(error)) throw new Error(`expected a MigrationError, got ${String(error)}`);
  return error;
}

describe.each(engines)('migrate on $kind', (engine) => {
  let fixture: EngineFixture;
  let db: Database;
  let schemas = 0;
  const freshSchema = (): string => `mig_${++schemas}`;

  beforeAll(async () => {
    fixture = await engine.open('migrate');
    db = fixture.db;
  });
  afterAll(() => fixture.cleanup());

  const history = async (schema: string): Promise<HistoryRow[]> =>
    (await db.query<HistoryRow>(`SELECT * FROM ${schema}.schema_history ORDER BY version`)).rows;
  const tableExists = async (name: string): Promise<boolean> =>
    (await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name])).rows[0]
      ?.ok === true;

  it('applies pending migrations in order, in the schema, and records each in schema_history', async () => {
    const schema = freshSchema();
    const result = await migrate(db, { schema, migrations: [v2, v1] });
    expect(result.applied.map((m) => m.script)).toEqual([
      'V1__create_orders.sql',
      'V2__add_order_note.sql',
    ]);
    expect(result.currentVersion).toBe(2);
    expect((await db.query(`SELECT id, note FROM ${schema}.orders`)).rows).toEqual([
      { id: 1, note: 'seed' },
    ]);
    const rows = await history(schema);
    expect(
      rows.map(({ version, description, script, checksum }) => ({
        version,
        description,
        script,
        checksum,
      })),
    ).toEqual([
      {
        version: 1,
        description: 'create orders',
        script: 'V1__create_orders.sql',
        checksum: migrationChecksum(v1.sql),
      },
      {
        version: 2,
        description: 'add order note',
        script: 'V2__add_order_note.sql',
        checksum: migrationChecksum(v2.sql),
      },
    ]);
    for (const row of rows) {
      expect(row.installed_on).toBeInstanceOf(Date);
      expect(row.execution_time).toBeGreaterThanOrEqual(0);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('does nothing when applied twice, and then applies only what is new', async () => {
    const schema = freshSchema();
    await migrate(db, { schema, migrations: [v1, v2] });
    const before = await history(schema);
    const again = await migrate(db, { schema, migrations: [v1, v2] });
    expect(again.applied).toEqual([]);
    expect(again.currentVersion).toBe(2);
    expect(await history(schema)).toEqual(before);
    expect((await db.query(`SELECT count(*) AS n FROM ${schema}.orders`)).rows).toEqual([
      { n: 1n },
    ]);

    const withV3 = await migrate(db, { schema, migrations: [v1, v2, v3] });
    expect(withV3.applied.map((m) => m.version)).toEqual([3]);
    expect(await history(schema)).toHaveLength(3);
  });

  it('refuses an applied migration that was edited, naming it and both checksums, and applies nothing', async () => {
    const schema = freshSchema();
    await migrate(db, { schema, migrations: [v1, v2] });
    const edited = { ...v2, sql: v2.sql.replace('note text', 'note varchar(10)') };
    const error = await rejection(migrate(db, { schema, migrations: [v1, edited, v3] }));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({
      name: 'MigrationError',
      reason: 'MIGRATION_CHECKSUM_MISMATCH',
      code: 'failed_precondition',
    });
    expect(error.message).toContain('V2__add_order_note.sql');
    expect(error.message).toContain(migrationChecksum(v2.sql));
    expect(error.message).toContain(migrationChecksum(edited.sql));
    expect(error.context).toMatchObject({
      schema,
      version: 2,
      appliedChecksum: migrationChecksum(v2.sql),
      currentChecksum: migrationChecksum(edited.sql),
    });
    // V3 was pending and valid, but nothing runs once the history does not match.
    expect(await tableExists(`${schema}.lines`)).toBe(false);
    expect(await history(schema)).toHaveLength(2);
  });

  it('does not count a change of line endings as an edit', async () => {
    const schema = freshSchema();
    await migrate(db, { schema, migrations: [v1, v2] });
    const crlf = { ...v2, sql: v2.sql.replaceAll('\n', '\r\n') };
    expect((await migrate(db, { schema, migrations: [v1, crlf] })).applied).toEqual([]);
  });

  it('rolls a failing migration back whole, keeps the ones before it, and applies it once fixed', async () => {
    const schema = freshSchema();
    const failing: Migration = {
      version: 2,
      name: 'half_done',
      sql: 'CREATE TABLE half (x int);\nINSERT INTO half VALUES (1);\nSELECT 1 / 0;',
    };
    const error = await rejection(migrate(db, { schema, migrations: [v1, failing, v3] }));
    expect(error.reason).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('V2__half_done.sql');
    expect(error.message).toContain('division by zero');
    expect(sqlStateOf(error.cause)).toBe('22012');
    expect(await tableExists(`${schema}.orders`)).toBe(true);
    expect(await tableExists(`${schema}.half`)).toBe(false);
    expect(await tableExists(`${schema}.lines`)).toBe(false);
    expect((await history(schema)).map((r) => r.version)).toEqual([1]);

    const fixed = { ...failing, sql: 'CREATE TABLE half (x int);\nINSERT INTO half VALUES (1);' };
    const result = await migrate(db, { schema, migrations: [v1, fixed, v3] });
    expect(result.applied.map((m) => m.version)).toEqual([2, 3]);
    expect((await db.query(`SELECT x FROM ${schema}.half`)).rows).toEqual([{ x: 1 }]);
  });

  it('refuses duplicate versions and gaps before touching the database', async () => {
    const schema = freshSchema();
    const duplicate = await rejection(
      migrate(db, { schema, migrations: [v1, v2, { ...v3, version: 2 }] }),
    );
    expect(duplicate.reason).toBe('MIGRATION_INVALID');
    expect(duplicate.message).toMatch(
      /V2__add_order_note\.sql and V2__create_lines\.sql .*same version 2/,
    );
    const gap = await rejection(migrate(db, { schema, migrations: [v1, v3] }));
    expect(gap.reason).toBe('MIGRATION_INVALID');
    expect(gap.message).toContain('version 2');
    expect(gap.message).toContain('between V1__create_orders.sql and V3__create_lines.sql');
    const notFromOne = await rejection(migrate(db, { schema, migrations: [v2] }));
    expect(notFromOne.message).toContain('version 1');
    expect(
      (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount,
    ).toBe(0);
  });

  it('refuses a set that lacks a migration already applied', async () => {
    const schema = freshSchema();
    await migrate(db, { schema, migrations: [v1, v2] });
    const error = await rejection(migrate(db, { schema, migrations: [v1] }));
    expect(error.reason).toBe('MIGRATION_MISSING');
    expect(error.message).toContain('V2__add_order_note.sql');
  });

  it('refuses a migration that commits the transaction it runs in, and does not record it', async () => {
    const schema = freshSchema();
    const committing: Migration = {
      version: 1,
      name: 'commits',
      sql: 'CREATE TABLE c (x int); COMMIT;',
    };
    const error = await rejection(migrate(db, { schema, migrations: [committing] }));
    expect(error.reason).toBe('MIGRATION_INVALID');
    expect(error.message).toContain('V1__commits.sql');
    expect(await history(schema)).toEqual([]);
  });

  it('applies each migration once when several runs overlap', async () => {
    const schema = freshSchema();
    const many: Migration[] = Array.from({ length: 6 }, (_, i) => ({
      version: i + 1,
      name: `step_${i + 1}`,
      sql: `CREATE TABLE step_${i + 1} (x int); INSERT INTO step_${i + 1} VALUES (${i + 1});`,
    }));
    const runners = [
      fixture.connect({ max: 2 }),
      fixture.connect({ max: 2 }),
      fixture.connect({ max: 2 }),
    ];
    const results = await Promise.all(
      runners.map((runner) => migrate(runner, { schema, migrations: many })),
    );
    const appliedVersions = results
      .flatMap((r) => r.applied.map((m) => m.version))
      .sort((a, b) => a - b);
    expect(appliedVersions).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await history(schema)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const runner of runners) await runner.close();
  });

  describe('from a directory', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ameide-migrations-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('loads V<n>__<name>.sql files in version order, and names the edited file when one changes', async () => {
      const schema = freshSchema();
      await writeFile(join(dir, 'V10__ten.sql'), 'CREATE TABLE ten (x int);');
      for (let v = 1; v <= 9; v++)
        await writeFile(join(dir, `V${v}__step_${v}.sql`), `CREATE TABLE s${v} (x int);`);
      await writeFile(join(dir, 'README.md'), 'not a migration');
      const loaded = await loadMigrations(dir);
      expect(loaded.map((m) => m.script)).toEqual([
        ...Array.from({ length: 9 }, (_, i) => `V${i + 1}__step_${i + 1}.sql`),
        'V10__ten.sql',
      ]);
      expect((await migrate(db, { schema, migrations: loaded })).currentVersion).toBe(10);

      await writeFile(join(dir, 'V3__step_3.sql'), 'CREATE TABLE s3 (x int, y int);');
      const error = await rejection(migrate(db, { schema, migrations: await loadMigrations(dir) }));
      expect(error.reason).toBe('MIGRATION_CHECKSUM_MISMATCH');
      expect(error.message).toContain('V3__step_3.sql');
    });

    it('refuses a misnamed .sql file instead of skipping it', async () => {
      const other = await mkdtemp(join(tmpdir(), 'ameide-migrations-'));
      try {
        await writeFile(join(other, 'V1__ok.sql'), 'SELECT 1;');
        await writeFile(join(other, 'V2_missing_underscore.sql'), 'SELECT 2;');
        const error = await rejection(loadMigrations(other));
        expect(error.reason).toBe('MIGRATION_INVALID');
        expect(error.message).toContain('V2_missing_underscore.sql');
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    });
  });
});
