/** How a tenant's identity is kept: its own realm (enterprise) or an organisation in the shared realm (smb). */
export type TenantTier = 'smb' | 'enterprise';
/** Where a tenant's rows live: the shared database under RLS, or a database of its own. */
export type DatabasePlacement = 'shared' | 'dedicated';
/** A tenant's lifecycle. Calls are served only while `active`. */
export type TenantStatus =
  'provisioning' | 'active' | 'failed' | 'suspended' | 'deleting' | 'deleted';

/** One row of the tenant registry. */
export interface TenantRecord {
  readonly tenantId: string;
  readonly displayName: string;
  readonly tier: TenantTier;
  readonly databasePlacement: DatabasePlacement;
  readonly status: TenantStatus;
  /** The OIDC issuer whose tokens may act for this tenant (`…/realms/<realm>`); empty until provisioned. */
  readonly issuer: string;
  readonly realm: string;
  /** The Keycloak organisation id (smb). */
  readonly organizationId: string;
  readonly temporalNamespace: string;
  /** The dedicated database's name (`dedicated`), else empty. */
  readonly databaseName: string;
  /** What the last provisioning or deletion run failed on, else empty. */
  readonly failure: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly suspendedAt: Date | undefined;
  readonly deletedAt: Date | undefined;
  /** Provisioning steps done, in the order they were done. */
  readonly steps: readonly ProvisioningStepRecord[];
}

export interface ProvisioningStepRecord {
  readonly step: string;
  readonly detail: Readonly<Record<string, string>>;
  readonly completedAt: Date;
}
