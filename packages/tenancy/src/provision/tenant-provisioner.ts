import { AmeideError, ErrorCode } from '@ameide/errors';
import type { TenantData } from '../data/tenant-data.js';
import type { KeycloakIdentity } from '../identity/keycloak-identity.js';
import type { TemporalNamespaces } from '../runtime/temporal-namespaces.js';
import type { TenantRecord } from '../store/tenant-record.js';
import type { TenantPlacement, TenantRegistry, TenantSpec } from '../store/tenant-registry.js';

/** The shared realm of SMB tenants. */
export const DEFAULT_SHARED_REALM = 'ameide';
/** The Temporal namespace of tenants without one of their own. */
export const DEFAULT_SHARED_NAMESPACE = 'default';
/** How long a suspended tenant is kept before it may be deleted: 30 days. */
export const DEFAULT_DELETE_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** Options of {@link createTenantProvisioner}. */
export interface TenantProvisionerOptions {
  readonly registry: TenantRegistry;
  readonly data: TenantData;
  /** Without it, tenants get no identity of their own (embedded mode: dev tokens only). */
  readonly identity?: KeycloakIdentity;
  /** Without it, every tenant runs in the shared namespace. */
  readonly temporal?: TemporalNamespaces;
  /** Applies (server-side) and deletes the tenant's `AmeideTenant` resource on Kubernetes. */
  readonly kubernetes?: {
    /** Why a tenant id cannot name its resource (checked before anything is written). */
    refuses?(tenantId: string): string | undefined;
    apply(tenant: TenantRecord): Promise<void>;
    remove(tenantId: string): Promise<void>;
  };
  readonly sharedRealm?: string;
  readonly sharedNamespace?: string;
  readonly deleteRetentionMs?: number;
  /** Called after each step is recorded (tests stop a run there, as a crash would). */
  readonly afterStep?: (tenantId: string, step: string) => void | Promise<void>;
  /** Told whenever a tenant's record changed (the host's tenant directory forgets it). */
  readonly onChange?: (tenantId: string) => void | Promise<void>;
  readonly now?: () => Date;
}

/** One step of provisioning: what it does, and what it records. */
interface Step {
  readonly name: string;
  run(t: TenantRecord): Promise<{ detail: Record<string, string>; placement?: TenantPlacement }>;
}

/** Provisions, suspends and deletes tenants, step by step, resuming where a run stopped. */
export interface TenantProvisioner {
  /** The steps a tenant of this spec goes through, in order. */
  stepsOf(spec: Pick<TenantSpec, 'tier' | 'databasePlacement'>): string[];
  /**
   * Creates the tenant, or resumes its provisioning: steps already recorded are skipped. A
   * failing step leaves the tenant `failed`, naming the step and the cause; calling again retries it.
   */
  provision(spec: TenantSpec): Promise<TenantRecord>;
  suspend(tenantId: string): Promise<TenantRecord>;
  /** Back to `active` from `suspended`. */
  resume(tenantId: string): Promise<TenantRecord>;
  /** Deletes a tenant suspended for longer than the retention period (or resumes a deletion). */
  remove(tenantId: string): Promise<TenantRecord>;
}

const refuse = (code: ErrorCode, reason: string, message: string, field?: string) =>
  new AmeideError(code, message, {
    reason,
    domain: 'ameide.tenancy',
    ...(field ? { metadata: { field } } : {}),
  });

export function createTenantProvisioner(options: TenantProvisionerOptions): TenantProvisioner {
  const { registry, data, identity, temporal } = options;
  const sharedRealm = options.sharedRealm ?? DEFAULT_SHARED_REALM;
  const sharedNamespace = options.sharedNamespace ?? DEFAULT_SHARED_NAMESPACE;
  const retentionMs = options.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
  const now = options.now ?? (() => new Date());
  const changed = async (tenantId: string) => {
    await options.onChange?.(tenantId);
  };
  const realmOf = (t: Pick<TenantRecord, 'tier' | 'tenantId'>) =>
    t.tier === 'enterprise' ? `tenant-${t.tenantId}` : sharedRealm;
  const serviceClientOf = (t: Pick<TenantRecord, 'tier' | 'tenantId'>) =>
    t.tier === 'enterprise' ? 'ameide-primitives' : `ameide-primitives-${t.tenantId}`;

  const steps = (spec: Pick<TenantSpec, 'tier' | 'databasePlacement'>): Step[] => {
    const out: Step[] = [];
    if (identity && spec.tier === 'enterprise') {
      out.push(
        {
          name: 'identity.realm',
          async run(t) {
            const realm = realmOf(t);
            await identity.ensureRealm(realm, { displayName: t.displayName, shared: false });
            return { detail: { realm }, placement: { realm, issuer: identity.issuerOf(realm) } };
          },
        },
        {
          name: 'identity.token-mappers',
          async run(t) {
            const mappers = await identity.ensureTokenScope(realmOf(t), { tenantId: t.tenantId });
            return { detail: { mappers: mappers.join(',') } };
          },
        },
        {
          name: 'identity.clients',
          async run(t) {
            const clients = await identity.ensureUserClients(realmOf(t));
            return { detail: { clients: clients.join(',') } };
          },
        },
        {
          name: 'identity.service-account',
          async run(t) {
            const clientId = await identity.ensureServiceClient(realmOf(t), {
              clientId: serviceClientOf(t),
            });
            return { detail: { client: clientId } };
          },
        },
      );
    }
    if (identity && spec.tier === 'smb') {
      out.push(
        {
          name: 'identity.shared-realm',
          async run() {
            // Shared by every SMB tenant: created by the first, found by the others.
            await identity.ensureRealm(sharedRealm, { displayName: 'Ameide', shared: true });
            const mappers = await identity.ensureTokenScope(sharedRealm, {});
            const clients = await identity.ensureUserClients(sharedRealm);
            return {
              detail: {
                realm: sharedRealm,
                mappers: mappers.join(','),
                clients: clients.join(','),
              },
              placement: { realm: sharedRealm, issuer: identity.issuerOf(sharedRealm) },
            };
          },
        },
        {
          name: 'identity.organization',
          async run(t) {
            const id = await identity.ensureOrganization(sharedRealm, t.tenantId, t.displayName);
            return { detail: { organization: id }, placement: { organizationId: id } };
          },
        },
        {
          name: 'identity.service-account',
          async run(t) {
            const current = (await registry.get(t.tenantId))!;
            const clientId = await identity.ensureServiceClient(sharedRealm, {
              clientId: serviceClientOf(t),
              organizationId: current.organizationId,
            });
            return { detail: { client: clientId } };
          },
        },
      );
    }
    out.push({
      name: 'temporal.namespace',
      async run(t) {
        if (t.tier === 'enterprise' && temporal) {
          const namespace = `tenant-${t.tenantId}`;
          const attributes = await temporal.ensure(namespace);
          return {
            detail: { namespace, searchAttributes: attributes.join(',') },
            placement: { temporalNamespace: namespace },
          };
        }
        return {
          detail: { namespace: sharedNamespace },
          placement: { temporalNamespace: sharedNamespace },
        };
      },
    });
    out.push({
      name: 'database',
      async run(t) {
        if (t.databasePlacement === 'dedicated') {
          const name = await data.ensureDedicated(t.tenantId);
          return { detail: { database: name }, placement: { databaseName: name } };
        }
        return { detail: { database: 'shared (row level security)' } };
      },
    });
    if (options.kubernetes) {
      const kube = options.kubernetes;
      out.push({
        name: 'kubernetes.ameide-tenant',
        async run(t) {
          await kube.apply((await registry.get(t.tenantId))!);
          return { detail: { resource: `AmeideTenant/${t.tenantId}` } };
        },
      });
    }
    return out;
  };

  const get = async (tenantId: string) => {
    const t = await registry.get(tenantId);
    if (!t || t.status === 'deleted')
      throw refuse(
        ErrorCode.NotFound,
        'TENANT_NOT_FOUND',
        `tenant ${tenantId} not found`,
        'tenant_id',
      );
    return t;
  };

  return {
    stepsOf: (spec) => steps(spec).map((s) => s.name),

    async provision(spec) {
      const unnamed = options.kubernetes?.refuses?.(spec.tenantId);
      if (unnamed)
        throw AmeideError.invalidArgument(
          `tenant_id ${JSON.stringify(spec.tenantId)}: ${unnamed}`,
          [{ field: 'tenant_id', description: unnamed }],
        );
      if (spec.databasePlacement === 'dedicated' && !data.dedicatedAvailable)
        throw refuse(
          ErrorCode.FailedPrecondition,
          'DEDICATED_DATABASE_UNAVAILABLE',
          'a dedicated database needs the platform on a Postgres server (it runs on PGlite)',
          'database_placement',
        );
      const { record } = await registry.insert(spec);
      if (record.status === 'deleted' || record.status === 'deleting')
        throw refuse(
          ErrorCode.AlreadyExists,
          'TENANT_ID_TAKEN',
          `tenant id ${spec.tenantId} belonged to a deleted tenant and is not given out again`,
          'tenant_id',
        );
      if (record.tier !== spec.tier || record.databasePlacement !== spec.databasePlacement)
        throw refuse(
          ErrorCode.AlreadyExists,
          'TENANT_EXISTS',
          `tenant ${spec.tenantId} exists with tier ${record.tier} and ${record.databasePlacement} database`,
          'tenant_id',
        );
      if (record.status === 'active' || record.status === 'suspended') return record;
      if (record.status === 'failed') await registry.setStatus(spec.tenantId, 'provisioning');
      await changed(spec.tenantId);
      const done = new Set(record.steps.map((s) => s.step));
      for (const step of steps(spec)) {
        if (done.has(step.name)) continue;
        try {
          const current = (await registry.get(spec.tenantId))!;
          const { detail, placement } = await step.run(current);
          await registry.stepDone(spec.tenantId, step.name, detail, placement);
        } catch (err) {
          const failed = await registry.setStatus(spec.tenantId, 'failed', {
            failure: `${step.name}: ${(err as Error).message}`,
          });
          await changed(spec.tenantId);
          return failed;
        }
        await options.afterStep?.(spec.tenantId, step.name);
      }
      const active = await registry.setStatus(spec.tenantId, 'active');
      await changed(spec.tenantId);
      return active;
    },

    async suspend(tenantId) {
      const t = await get(tenantId);
      if (t.status === 'suspended') return t;
      if (t.status !== 'active')
        throw refuse(
          ErrorCode.FailedPrecondition,
          'TENANT_NOT_ACTIVE',
          `tenant ${tenantId} is ${t.status}; only an active tenant can be suspended`,
          'tenant_id',
        );
      // Refused by the host from now on; sign-ins stop too.
      const suspended = await registry.setStatus(tenantId, 'suspended', { suspendedAt: 'now' });
      await changed(tenantId);
      if (identity && t.tier === 'enterprise') await identity.setRealmEnabled(t.realm, false);
      if (identity && t.tier === 'smb' && t.organizationId)
        await identity.setOrganizationEnabled(t.realm, t.organizationId, false);
      return suspended;
    },

    async resume(tenantId) {
      const t = await get(tenantId);
      if (t.status === 'active') return t;
      if (t.status !== 'suspended')
        throw refuse(
          ErrorCode.FailedPrecondition,
          'TENANT_NOT_SUSPENDED',
          `tenant ${tenantId} is ${t.status}; only a suspended tenant can be resumed`,
          'tenant_id',
        );
      if (identity && t.tier === 'enterprise') await identity.setRealmEnabled(t.realm, true);
      if (identity && t.tier === 'smb' && t.organizationId)
        await identity.setOrganizationEnabled(t.realm, t.organizationId, true);
      const active = await registry.setStatus(tenantId, 'active', { suspendedAt: null });
      await changed(tenantId);
      return active;
    },

    async remove(tenantId) {
      const t = await get(tenantId);
      if (t.status !== 'suspended' && t.status !== 'deleting')
        throw refuse(
          ErrorCode.FailedPrecondition,
          'TENANT_NOT_SUSPENDED',
          `tenant ${tenantId} is ${t.status}: suspend it first, then delete it after the retention period`,
          'tenant_id',
        );
      if (t.status === 'suspended') {
        const allowedAt = new Date((t.suspendedAt ?? now()).getTime() + retentionMs);
        if (now() < allowedAt)
          throw refuse(
            ErrorCode.FailedPrecondition,
            'RETENTION_NOT_ELAPSED',
            `tenant ${tenantId} was suspended at ${t.suspendedAt?.toISOString()}; it can be deleted from ${allowedAt.toISOString()}`,
            'tenant_id',
          );
        await registry.setStatus(tenantId, 'deleting');
        await changed(tenantId);
      }
      try {
        if (identity && t.tier === 'enterprise' && t.realm) await identity.deleteRealm(t.realm);
        if (identity && t.tier === 'smb')
          await identity.deleteOrganization(t.realm || sharedRealm, {
            organizationId: t.organizationId,
            alias: t.tenantId,
            serviceClientId: serviceClientOf(t),
          });
        if (temporal && t.temporalNamespace && t.temporalNamespace !== sharedNamespace)
          await temporal.remove(t.temporalNamespace);
        if (t.databaseName) await data.dropDedicated(t.databaseName);
        await data.eraseShared(tenantId);
        await options.kubernetes?.remove(tenantId);
      } catch (err) {
        const failed = await registry.setStatus(tenantId, 'deleting', {
          failure: `delete: ${(err as Error).message}`,
        });
        await changed(tenantId);
        return failed;
      }
      await registry.clearSteps(tenantId);
      const deleted = await registry.setStatus(tenantId, 'deleted', { deletedAt: 'now' });
      await changed(tenantId);
      return deleted;
    },
  };
}
