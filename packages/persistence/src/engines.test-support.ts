// Test support: the two engines every persistence suite runs against. Each
// suite file gets its own Postgres database (see @ameide/testing) or its own
// in-memory PGlite.
import { createTestDatabase } from '@ameide/testing';
import {
  createPgDatabase,
  createPgliteDatabase,
  type Database,
  type DatabaseKind,
} from '@ameide/persistence';

/** One engine opened for one test file. */
export interface EngineFixture {
  readonly kind: DatabaseKind;
  /** Superuser connection: owns what migrations create. */
  readonly db: Database;
  /**
   * Another Database on the same data, e.g. a second process (pg: its own pool
   * of `max` connections; PGlite: the same single connection).
   */
  connect(options?: { max?: number }): Database;
  /** Closes everything and drops the database. */
  cleanup(): Promise<void>;
}

export interface Engine {
  readonly kind: DatabaseKind;
  open(label: string): Promise<EngineFixture>;
}

export const engines: readonly Engine[] = [
  {
    kind: 'postgres',
    async open(label) {
      const testDb = await createTestDatabase(label);
      const db = createPgDatabase({ url: testDb.url });
      const others: Database[] = [];
      return {
        kind: 'postgres',
        db,
        connect: (options = {}) => {
          const other = createPgDatabase({ url: testDb.url, pool: { max: options.max ?? 10 } });
          others.push(other);
          return other;
        },
        cleanup: async () => {
          for (const other of others) await other.close();
          await db.close();
          await testDb.drop();
        },
      };
    },
  },
  {
    kind: 'pglite',
    async open() {
      const db = await createPgliteDatabase();
      return {
        kind: 'pglite',
        db,
        // The owner closes the one instance in cleanup.
        connect: () => ({ ...db, close: async () => {} }),
        cleanup: () => db.close(),
      };
    },
  },
];
