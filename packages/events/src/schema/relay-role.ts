import { assertRoleCannotBypassRls, quoteIdentifier, type Database } from '@ameide/persistence';

/**
 * The role the event plumbing runs as when it must see every tenant's rows:
 * the relay reading the outbox, the Postgres transport reading the log by
 * position, the dead-letter tools. Never the app role: policies scoped `TO`
 * this role open the event tables only, never a domain's state tables.
 */
export const RELAY_ROLE = 'ameide_relay';

/**
 * Creates {@link RELAY_ROLE} (NOLOGIN, no superuser, no BYPASSRLS) when
 * missing and makes the connected user a member, so the plumbing can `SET
 * LOCAL ROLE` to it. Run with the owner/admin connection before the migrations
 * that grant to it. Safe to run concurrently and repeatedly.
 *
 * @throws PersistenceError `ROLE_CAN_BYPASS_RLS` for an unsafe existing role.
 */
export async function ensureRelayRole(db: Database, role: string = RELAY_ROLE): Promise<void> {
  const quoted = quoteIdentifier(role, 'role');
  await db.exec(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;`);
  const { rows } = await db.query<{ can_set: boolean }>(
    `SELECT pg_has_role(current_user, $1,
       CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) AS can_set`,
    [role],
  );
  if (rows[0]?.can_set !== true) await db.exec(`GRANT ${quoted} TO CURRENT_USER`);
  await assertRoleCannotBypassRls(db, role);
}

/** The `begin` script that makes a transaction run as the relay role. */
export function asRelayRole(role: string = RELAY_ROLE): { begin: string } {
  return { begin: `SET LOCAL ROLE ${quoteIdentifier(role, 'role')}` };
}
