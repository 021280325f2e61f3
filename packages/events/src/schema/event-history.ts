import { quoteIdentifier, type Migration, type Queryable } from '@ameide/persistence';

/**
 * Name of the triggers that mark `<schema>.outbox` as an event-sourced
 * history; retention looks for them ({@link isEventHistory}).
 */
export const HISTORY_TRIGGER = 'outbox_is_history';

/**
 * The migration that makes a domain's outbox (`eventTablesMigration`) its
 * event-sourced history as well: the domain appends with `appendToStream`
 * (optimistic concurrency per aggregate) and reads its streams back with
 * `readStream` and `readHistory`, while the relay, the transports and
 * `EventService` read the same rows as any outbox. Add it after
 * `eventTablesMigration`:
 * `[...files, eventTablesMigration('transformation', 2), eventHistoryMigration('transformation', 3)]`.
 *
 * - `actor`: who caused the event (the envelope does not carry it).
 * - `attachment`: binary data of the event kept in the log only, never
 *   published (an artifact's content, a compiled plan).
 * - The history is never pruned, updated or deleted, by anyone: triggers
 *   refuse UPDATE, DELETE and TRUNCATE (also for the owner and the relay role),
 *   and `pruneEventTables` refuses the schema before it deletes anything.
 *   Do not add `eventRetentionMigration` to such a schema.
 */
export function eventHistoryMigration(schema: string, version: number): Migration {
  const s = quoteIdentifier(schema, 'schema');
  return {
    version,
    name: 'event_history',
    sql: `
ALTER TABLE ${s}.outbox ADD COLUMN actor text, ADD COLUMN attachment bytea;

CREATE FUNCTION ${s}.${HISTORY_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.% is event-sourced history: its events are never changed or deleted',
    TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ${HISTORY_TRIGGER} BEFORE UPDATE OR DELETE ON ${s}.outbox
  FOR EACH ROW EXECUTE FUNCTION ${s}.${HISTORY_TRIGGER}();
CREATE TRIGGER ${HISTORY_TRIGGER}_truncate BEFORE TRUNCATE ON ${s}.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${HISTORY_TRIGGER}();
`,
  };
}

/** True when `<schema>.outbox` is an event-sourced history ({@link eventHistoryMigration}). */
export async function isEventHistory(q: Queryable, schema: string): Promise<boolean> {
  const { rows } = await q.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_trigger
                     WHERE tgrelid = to_regclass($1) AND tgname = $2) AS yes`,
    [`${quoteIdentifier(schema, 'schema')}.outbox`, HISTORY_TRIGGER],
  );
  return rows[0]?.yes === true;
}
