// Tenants for real: the registry, provisioning (Keycloak, Temporal, database), the service and
// the directory the service host admits tokens through.
export { migrateTenancy, TENANCY_SCHEMA } from './store/tenancy-migrations.js';
export { createTenantRegistry } from './store/tenant-registry.js';
export type { TenantPlacement, TenantRegistry, TenantSpec } from './store/tenant-registry.js';
export type {
  DatabasePlacement,
  ProvisioningStepRecord,
  TenantRecord,
  TenantStatus,
  TenantTier,
} from './store/tenant-record.js';
export {
  AMEIDE_SCOPE,
  CLI_CLIENT,
  CONSOLE_CLIENT,
  createKeycloakIdentity,
} from './identity/keycloak-identity.js';
export type {
  KeycloakIdentity,
  KeycloakIdentityOptions,
  RealmDescription,
} from './identity/keycloak-identity.js';
export { createTemporalNamespaces } from './runtime/temporal-namespaces.js';
export {
  ameideTenantOf,
  createKubernetesTenants,
  TENANT_FIELD_MANAGER,
} from './runtime/kubernetes-tenants.js';
export type { AmeideTenantResource, KubernetesTenants } from './runtime/kubernetes-tenants.js';
export type {
  TemporalNamespaces,
  TemporalNamespacesOptions,
} from './runtime/temporal-namespaces.js';
export { createTenantData } from './data/tenant-data.js';
export type { TenantData, TenantDataOptions } from './data/tenant-data.js';
export {
  createTenantProvisioner,
  DEFAULT_DELETE_RETENTION_MS,
  DEFAULT_SHARED_NAMESPACE,
  DEFAULT_SHARED_REALM,
} from './provision/tenant-provisioner.js';
export type {
  TenantProvisioner,
  TenantProvisionerOptions,
} from './provision/tenant-provisioner.js';
export { createTenantDirectory } from './directory/tenant-directory.js';
export type { TenantDirectory, TenantDirectoryOptions } from './directory/tenant-directory.js';
export {
  PLATFORM_ADMIN_GROUP,
  PLATFORM_TENANT,
  tenantServiceRoutes,
} from './service/tenant-service.js';
export type { TenantServiceOptions } from './service/tenant-service.js';
