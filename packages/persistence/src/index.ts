// Users' symbols first: databases, tenant-scoped work, migrations, errors.
export { createPgDatabase } from './database/pg-database.js';
export type { PgDatabaseOptions } from './database/pg-database.js';
export type { PreparedStatementOptions } from './database/statement-names.js';
export { createPgliteDatabase, PGLITE_SHARED_BUFFERS } from './database/pglite-database.js';
export type { PgliteDatabaseOptions } from './database/pglite-database.js';
export type {
  Database,
  DatabaseKind,
  NotificationListener,
  Queryable,
  QueryResult,
  Row,
  Transaction,
} from './database/database.js';

export { createTenantStore } from './tenancy/tenant-store.js';
export type { TenantStore, TenantStoreOptions } from './tenancy/tenant-store.js';
export { withTenant } from './tenancy/with-tenant.js';
export { createTenantRoutedDatabase } from './tenancy/tenant-routed-database.js';
export type { WithTenantOptions } from './tenancy/with-tenant.js';
export {
  assertValidTenantId,
  MAX_TENANT_ID_LENGTH,
  TENANT_SETTING,
} from './tenancy/tenant-context.js';
export type { TenantContext } from './tenancy/tenant-context.js';

export { migrate } from './migrations/migrate.js';
export type { AppliedMigration, MigrateOptions, MigrateResult } from './migrations/migrate.js';
export { loadMigrations } from './migrations/load-migrations.js';
export { migrationChecksum, MIGRATION_FILE_PATTERN } from './migrations/migration.js';
export type { Migration } from './migrations/migration.js';

export { DEFAULT_APP_ROLE, ensureAppRole } from './tenancy/app-role.js';
export type { AppRoleOptions } from './tenancy/app-role.js';
export { assertRoleCannotBypassRls } from './tenancy/assert-role-cannot-bypass-rls.js';
export {
  migratePlatform,
  PLATFORM_SCHEMA,
  platformMigrations,
  tenantTableSql,
} from './tenancy/tenant-rls.js';
export type { TenantTableOptions } from './tenancy/tenant-rls.js';

export {
  isMigrationError,
  isPersistenceError,
  MigrationError,
  PersistenceError,
  PersistenceErrorReason,
} from './persistence-error.js';
export type {
  MigrationErrorContext,
  PersistenceErrorCode,
  PersistenceErrorOptions,
} from './persistence-error.js';
export { sqlStateOf } from './sql-state.js';
export { quoteIdentifier, quoteLiteral } from './sql-identifier.js';
