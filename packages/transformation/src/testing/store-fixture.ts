import { createPgDatabase, createPgliteDatabase, type Database } from '@ameide/persistence';
import { createTestDatabase, type TestDatabase } from '@ameide/testing';
import { migrateTransformation } from '../migrate-transformation.js';

export type Engine = 'postgres' | 'pglite';
export const engines: Engine[] = ['postgres', 'pglite'];

/** A migrated database of the given engine for one test file. */
export async function openMigratedDatabase(
  engine: Engine,
  label: string,
): Promise<{ db: Database; testDb?: TestDatabase; close(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = await createPgliteDatabase();
    await migrateTransformation(db);
    return { db, close: () => db.close() };
  }
  const testDb = await createTestDatabase(label);
  const db = createPgDatabase({ url: testDb.url, pool: { max: 30 } });
  await migrateTransformation(db);
  return {
    db,
    testDb,
    async close() {
      await db.close();
      await testDb.drop();
    },
  };
}
