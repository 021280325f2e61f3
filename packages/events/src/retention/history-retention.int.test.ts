import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import {
  createPgliteDatabase,
  ensureAppRole,
  migrate,
  migratePlatform,
  withTenant,
  type Database,
} from '@ameide/persistence';
import {
  appendToStream,
  asRelayRole,
  ensureRelayRole,
  eventHistoryMigration,
  eventRetentionMigration,
  eventTablesMigration,
  isEventHistory,
  pruneEventTables,
  readStream,
  startRetention,
} from '@ameide/events';

/**
 * An event-sourced history (the Transformation Domain's artifact events) is
 * the domain's state: retention never prunes it, even when someone adds the
 * retention migration to its schema and every reader has passed its events.
 */
describe('retention and an event-sourced history', () => {
  const SCHEMA = 'kept_history';
  let db: Database;
  const stream = {
    schema: SCHEMA,
    domain: SCHEMA,
    aggregateType: 'artifact',
    aggregateId: randomUUID(),
  };

  beforeAll(async () => {
    db = await createPgliteDatabase();
    await ensureAppRole(db);
    await ensureRelayRole(db);
    await migratePlatform(db);
    await migrate(db, {
      schema: SCHEMA,
      migrations: [
        eventTablesMigration(SCHEMA, 1),
        eventHistoryMigration(SCHEMA, 2),
        // The mistake this test guards against: the retention grants on a history.
        eventRetentionMigration(SCHEMA, 3),
      ],
    });
    await withTenant(db, { tenantId: 'acme' }, (tx) =>
      appendToStream(
        tx,
        stream,
        0n,
        [
          { type: 'kept_history.artifact.created.v1', payload: { n: 1 } },
          { type: 'kept_history.artifact.revised.v1', payload: { n: 2 } },
        ],
        { tenantId: 'acme', actor: 'alice', correlationId: 'c' },
      ),
    );
    // Every reader has passed everything.
    await db.transaction(
      (tx) =>
        tx.query(
          `INSERT INTO ${SCHEMA}.relay_progress (relay, transaction_id, seq)
           VALUES ('kept_history', '18446744073709551615'::xid8, 9223372036854775807)`,
        ),
      asRelayRole(),
    );
  });
  afterAll(() => db.close());

  const history = () =>
    withTenant(db, { tenantId: 'acme' }, (tx) => readStream(tx, stream)).then((es) =>
      es.map((e) => e.envelope.aggregateVersion),
    );

  it('is marked as a history', async () => {
    expect(await isEventHistory(db, SCHEMA)).toBe(true);
  });

  it('pruneEventTables refuses the schema, whatever the age of its events', async () => {
    const err = await pruneEventTables(db, {
      schema: SCHEMA,
      outboxRetentionMs: 1,
      now: () => new Date(Date.now() + 365 * 24 * 3600 * 1000),
    }).catch((e: unknown) => e);
    expect(isAmeideError(err) && err.code).toBe('failed_precondition');
    expect(isAmeideError(err) && err.reason).toBe('EVENT_HISTORY_NOT_PRUNED');
    expect(await history()).toEqual([1n, 2n]);
  });

  it('startRetention deletes nothing of it', async () => {
    const retention = startRetention({
      db,
      schemas: [SCHEMA],
      outboxRetentionMs: 1,
      intervalMs: 3600_000,
      now: () => new Date(Date.now() + 365 * 24 * 3600 * 1000),
    });
    const results = await retention.runOnce();
    await retention.stop();
    expect(results).toEqual([]);
    expect(await history()).toEqual([1n, 2n]);
  });

  it('refuses DELETE, UPDATE and TRUNCATE by the relay role and by the owner', async () => {
    for (const sql of [
      `DELETE FROM ${SCHEMA}.outbox`,
      `UPDATE ${SCHEMA}.outbox SET payload = '{}'`,
      `TRUNCATE ${SCHEMA}.outbox`,
    ]) {
      await expect(db.transaction((tx) => tx.query(sql), asRelayRole())).rejects.toThrow();
      await expect(db.transaction((tx) => tx.query(sql))).rejects.toThrow(/event-sourced history/);
    }
    expect(await history()).toEqual([1n, 2n]);
  });
});
