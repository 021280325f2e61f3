import type { Database } from '../database/database.js';
import { quoteIdentifier } from '../sql-identifier.js';
import { assertRoleCannotBypassRls } from './assert-role-cannot-bypass-rls.js';

/** Name of the role tenant code runs as, unless configured otherwise. */
export const DEFAULT_APP_ROLE = 'ameide_app';

/** Options of {@link ensureAppRole}. */
export interface AppRoleOptions {
  /** Default {@link DEFAULT_APP_ROLE}. */
  readonly role?: string;
}

/**
 * Creates the app role (NOLOGIN, no superuser, no BYPASSRLS) when missing, and
 * makes the connected user a member so `withTenant` can `SET LOCAL ROLE` to it.
 * Then checks the role cannot bypass RLS (an existing role may have been
 * altered). Run it with the owner/admin connection, before migrations that
 * grant to the role; it is safe to run concurrently and repeatedly.
 *
 * Roles belong to the whole server, not to one database.
 *
 * @throws PersistenceError `ROLE_CAN_BYPASS_RLS` for an unsafe existing role.
 */
export async function ensureAppRole(db: Database, options: AppRoleOptions = {}): Promise<void> {
  const role = options.role ?? DEFAULT_APP_ROLE;
  const quoted = quoteIdentifier(role, 'role');
  // Two sessions creating the role at once: one wins, the other sees one of
  // these two errors and finds the role there.
  await db.exec(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
        CREATE ROLE ${quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;`);
  // Postgres 16 split membership into options; SET is what SET ROLE needs.
  const { rows } = await db.query<{ can_set: boolean }>(
    `SELECT pg_has_role(current_user, $1,
       CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END) AS can_set`,
    [role],
  );
  if (rows[0]?.can_set !== true) {
    await db.exec(`GRANT ${quoted} TO CURRENT_USER`);
  }
  await assertRoleCannotBypassRls(db, role);
}
