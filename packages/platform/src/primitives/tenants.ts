import { SEARCH_ATTRIBUTE_TYPES } from '@ameide/process-runtime';
import type { ServiceRegistration } from '@ameide/server';
import {
  createKeycloakIdentity,
  createTemporalNamespaces,
  createTenantProvisioner,
  DEFAULT_DELETE_RETENTION_MS,
  tenantServiceRoutes,
  type KeycloakIdentity,
  type TenantData,
  type TenantProvisionerOptions,
  type TenantRegistry,
} from '@ameide/tenancy';

/** Keycloak for tenant identities: a realm per enterprise tenant, organisations of a shared realm. */
export interface TenantKeycloakConfig {
  readonly url: string;
  readonly admin: { readonly username: string; readonly password: string };
  /** Allow the password grant on the CLI client (tests and local development). */
  readonly passwordGrant?: boolean;
  /** The realm of SMB tenants (default `ameide`). */
  readonly sharedRealm?: string;
}

/** Options of {@link createTenantsPrimitive}. */
export interface TenantsPrimitiveOptions {
  readonly registry: TenantRegistry;
  readonly data: TenantData;
  /** `aud` the tenants' tokens must carry (their realms' audience mapper). */
  readonly audience: string;
  /** Without it, tenants get no identity of their own (dev tokens only). */
  readonly keycloak?: TenantKeycloakConfig;
  /** The Temporal frontend where enterprise tenants get a namespace; without it, all share one. */
  readonly temporalAddress?: string;
  /** Applies and deletes the tenant's `AmeideTenant` resource on Kubernetes. */
  readonly kubernetes?: TenantProvisionerOptions['kubernetes'];
  /** How long a suspended tenant is kept before it may be deleted (default 30 days). */
  readonly deleteRetentionMs?: number;
  readonly afterStep?: TenantProvisionerOptions['afterStep'];
  readonly onChange?: TenantProvisionerOptions['onChange'];
}

/** TenantService over a provisioner, and what it holds open. */
export interface TenantsPrimitive {
  readonly routes: ServiceRegistration;
  readonly keycloak: KeycloakIdentity | undefined;
  close(): Promise<void>;
}

/**
 * The tenant primitive: TenantService (platform administrators only) provisioning each
 * tenant's identity, Temporal namespace, database placement and Kubernetes resource.
 * `createPlatform` serves it with everything else; `ameide serve tenants` alone.
 */
export function createTenantsPrimitive(options: TenantsPrimitiveOptions): TenantsPrimitive {
  const deleteRetentionMs = options.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
  const kc = options.keycloak;
  const keycloak = kc
    ? createKeycloakIdentity({
        url: kc.url,
        admin: kc.admin,
        audience: options.audience,
        ...(kc.passwordGrant ? { passwordGrant: true } : {}),
      })
    : undefined;
  const namespaces = options.temporalAddress
    ? createTemporalNamespaces({
        address: options.temporalAddress,
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
      })
    : undefined;
  const routes = tenantServiceRoutes({
    registry: options.registry,
    deleteRetentionMs,
    provisioner: createTenantProvisioner({
      registry: options.registry,
      data: options.data,
      ...(keycloak ? { identity: keycloak } : {}),
      ...(namespaces ? { temporal: namespaces } : {}),
      ...(options.kubernetes ? { kubernetes: options.kubernetes } : {}),
      deleteRetentionMs,
      ...(kc?.sharedRealm ? { sharedRealm: kc.sharedRealm } : {}),
      ...(options.onChange ? { onChange: options.onChange } : {}),
      ...(options.afterStep ? { afterStep: options.afterStep } : {}),
    }),
  });
  return {
    routes,
    keycloak,
    async close() {
      await namespaces?.close();
    },
  };
}
