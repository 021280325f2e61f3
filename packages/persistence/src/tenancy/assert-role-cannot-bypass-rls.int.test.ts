import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertRoleCannotBypassRls,
  createTenantStore,
  DEFAULT_APP_ROLE,
  ensureAppRole,
  isPersistenceError,
  type Database,
  type PersistenceError,
} from '@ameide/persistence';
import { engines, type EngineFixture } from '../engines.test-support.js';

async function refusedWith(promise: Promise<unknown>): Promise<PersistenceError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPersistenceError(error))
    throw new Error(`expected a PersistenceError, got ${String(error)}`);
  return error;
}

describe.each(engines)('startup check of the app role on $kind', (engine) => {
  let fixture: EngineFixture;
  let db: Database;
  // Roles are server-wide on Postgres: unique names keep parallel files apart.
  const suffix = randomBytes(4).toString('hex');
  const role = (name: string): string => `t_${name}_${suffix}`;
  const roles = ['super', 'bypass', 'member', 'owner', 'altered'].map(role);

  beforeAll(async () => {
    fixture = await engine.open('role_check');
    db = fixture.db;
    await ensureAppRole(db);
    await db.exec(`
      CREATE ROLE ${role('super')} NOLOGIN SUPERUSER;
      CREATE ROLE ${role('bypass')} NOLOGIN BYPASSRLS;
      CREATE ROLE ${role('member')} NOLOGIN;
      GRANT ${role('bypass')} TO ${role('member')};
      CREATE ROLE ${role('owner')} NOLOGIN;
      CREATE TABLE owned_thing (tenant_id text NOT NULL);
      ALTER TABLE owned_thing OWNER TO ${role('owner')};
      CREATE ROLE ${role('altered')} NOLOGIN;`);
  });
  afterAll(async () => {
    await db.exec(
      `DROP OWNED BY ${roles.join(', ')} CASCADE; ${roles.map((r) => `DROP ROLE ${r};`).join(' ')}`,
    );
    await fixture.cleanup();
  });

  it('accepts the app role made by ensureAppRole', async () => {
    await expect(assertRoleCannotBypassRls(db, DEFAULT_APP_ROLE)).resolves.toBeUndefined();
    const { rows } = await db.query(
      'SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1',
      [DEFAULT_APP_ROLE],
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
  });

  it('refuses a superuser', async () => {
    const error = await refusedWith(assertRoleCannotBypassRls(db, role('super')));
    expect(error.reason).toBe('ROLE_CAN_BYPASS_RLS');
    expect(error.code).toBe('failed_precondition');
    expect(error.message).toContain(
      `App role ${role('super')} can bypass row-level security: it is a superuser`,
    );
  });

  it('refuses a role with BYPASSRLS', async () => {
    const error = await refusedWith(assertRoleCannotBypassRls(db, role('bypass')));
    expect(error.reason).toBe('ROLE_CAN_BYPASS_RLS');
    expect(error.message).toContain('it has BYPASSRLS');
  });

  it('refuses a member of a role that can bypass RLS', async () => {
    const error = await refusedWith(assertRoleCannotBypassRls(db, role('member')));
    expect(error.message).toContain(`it is a member of ${role('bypass')}`);
  });

  it('refuses a role that owns tables', async () => {
    const error = await refusedWith(assertRoleCannotBypassRls(db, role('owner')));
    expect(error.message).toContain('owns public.owned_thing');
  });

  it('refuses a role that does not exist', async () => {
    const error = await refusedWith(assertRoleCannotBypassRls(db, role('nobody')));
    expect(error.reason).toBe('ROLE_NOT_FOUND');
  });

  it('fails startup of a tenant store whose role can bypass RLS', async () => {
    const error = await refusedWith(createTenantStore(db, { appRole: role('super') }));
    expect(error.reason).toBe('ROLE_CAN_BYPASS_RLS');
    const store = await createTenantStore(db);
    expect(store.appRole).toBe(DEFAULT_APP_ROLE);
  });

  it('refuses, in ensureAppRole, an existing app role that was given BYPASSRLS', async () => {
    await db.exec(`ALTER ROLE ${role('altered')} BYPASSRLS`);
    const error = await refusedWith(ensureAppRole(db, { role: role('altered') }));
    expect(error.reason).toBe('ROLE_CAN_BYPASS_RLS');
  });
});
