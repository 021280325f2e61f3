import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { getActor } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  DatabasePlacement,
  TenantSchema,
  TenantService,
  TenantTier,
  type Tenant,
} from '@ameide/proto';
import { SANDBOX_TENANT_PREFIX, TENANT_ID_PATTERN } from '@ameide/server';
import type { TenantProvisioner } from '../provision/tenant-provisioner.js';
import type { TenantRecord } from '../store/tenant-record.js';
import type { TenantRegistry } from '../store/tenant-registry.js';

/** The tenant of platform administrators' tokens; never given to a customer. */
export const PLATFORM_TENANT = 'platform';
/** The group a platform administrator's token carries. */
export const PLATFORM_ADMIN_GROUP = 'platform-admin';

/** Options of {@link tenantServiceRoutes}. */
export interface TenantServiceOptions {
  readonly registry: TenantRegistry;
  readonly provisioner: TenantProvisioner;
  /** How long a suspended tenant is kept before DeleteTenant may remove it. */
  readonly deleteRetentionMs: number;
}

const TIERS = { [TenantTier.SMB]: 'smb', [TenantTier.ENTERPRISE]: 'enterprise' } as const;
const PLACEMENTS = {
  [DatabasePlacement.UNSPECIFIED]: 'shared',
  [DatabasePlacement.SHARED]: 'shared',
  [DatabasePlacement.DEDICATED]: 'dedicated',
} as const;

/** Serves `ameide.tenancy.v1.TenantService`: platform administrators only. */
export function tenantServiceRoutes(options: TenantServiceOptions) {
  const { registry, provisioner } = options;
  const admin = (ctx: HandlerContext) => {
    const actor = getActor(ctx);
    if (actor.tenantId !== PLATFORM_TENANT || !actor.groups.includes(PLATFORM_ADMIN_GROUP))
      throw new AmeideError(
        ErrorCode.PermissionDenied,
        `TenantService is for platform administrators: it needs a token of tenant ${PLATFORM_TENANT} with the ${PLATFORM_ADMIN_GROUP} group (this one is of tenant ${actor.tenantId})`,
        { reason: 'PLATFORM_ADMIN_REQUIRED', domain: 'ameide.tenancy' },
      );
  };
  const tenantIdOf = (id: string) => {
    if (id === '')
      throw AmeideError.invalidArgument('tenant_id is required', [
        { field: 'tenant_id', description: 'required' },
      ]);
    if (!TENANT_ID_PATTERN.test(id))
      throw AmeideError.invalidArgument(
        `tenant_id ${JSON.stringify(id)} is not a valid tenant id`,
        [
          {
            field: 'tenant_id',
            description:
              'letters, digits, ".", "_", "-"; 1-63 characters, starting with a letter or digit',
          },
        ],
      );
    return id;
  };
  const toProto = (t: TenantRecord): Tenant =>
    create(TenantSchema, {
      tenantId: t.tenantId,
      displayName: t.displayName,
      tier: t.tier === 'smb' ? TenantTier.SMB : TenantTier.ENTERPRISE,
      databasePlacement:
        t.databasePlacement === 'dedicated'
          ? DatabasePlacement.DEDICATED
          : DatabasePlacement.SHARED,
      status: t.status,
      issuer: t.issuer,
      realm: t.realm,
      organizationId: t.organizationId,
      temporalNamespace: t.temporalNamespace,
      databaseName: t.databaseName,
      failure: t.failure,
      steps: t.steps.map((s) => ({
        name: s.step,
        detail: { ...s.detail },
        completedAt: timestampFromDate(s.completedAt),
      })),
      pendingSteps:
        t.status === 'provisioning' || t.status === 'failed'
          ? provisioner.stepsOf(t).filter((name) => !t.steps.some((s) => s.step === name))
          : [],
      createdAt: timestampFromDate(t.createdAt),
      ...(t.suspendedAt
        ? {
            suspendedAt: timestampFromDate(t.suspendedAt),
            deletableAt: timestampFromDate(
              new Date(t.suspendedAt.getTime() + options.deleteRetentionMs),
            ),
          }
        : {}),
      ...(t.deletedAt ? { deletedAt: timestampFromDate(t.deletedAt) } : {}),
    });
  const found = async (tenantId: string) => {
    const t = await registry.get(tenantIdOf(tenantId));
    if (!t)
      throw new AmeideError(ErrorCode.NotFound, `tenant ${tenantId} not found`, {
        reason: 'TENANT_NOT_FOUND',
        domain: 'ameide.tenancy',
        fieldViolations: [{ field: 'tenant_id', description: 'no such tenant' }],
      });
    return t;
  };

  return (router: ConnectRouter) =>
    router.service(TenantService, {
      async createTenant(req, ctx) {
        admin(ctx);
        const tenantId = tenantIdOf(req.tenantId);
        if (tenantId === PLATFORM_TENANT)
          throw AmeideError.invalidArgument(`tenant id ${PLATFORM_TENANT} is reserved`, [
            { field: 'tenant_id', description: 'reserved for platform administrators' },
          ]);
        if (tenantId.toLowerCase().startsWith(SANDBOX_TENANT_PREFIX))
          throw AmeideError.invalidArgument(
            `tenant ids starting ${SANDBOX_TENANT_PREFIX} are reserved`,
            [
              {
                field: 'tenant_id',
                description: "reserved for agent sandbox runs' throwaway tenants",
              },
            ],
          );
        const tier = TIERS[req.tier as keyof typeof TIERS] as 'smb' | 'enterprise' | undefined;
        if (!tier)
          throw AmeideError.invalidArgument('tier is required', [
            { field: 'tier', description: 'TENANT_TIER_SMB or TENANT_TIER_ENTERPRISE' },
          ]);
        const placement: 'shared' | 'dedicated' | undefined = PLACEMENTS[req.databasePlacement];
        if (!placement)
          throw AmeideError.invalidArgument('unknown database_placement', [
            { field: 'database_placement', description: 'shared or dedicated' },
          ]);
        const displayName = req.displayName.trim() || tenantId;
        if (displayName.length > 200)
          throw AmeideError.invalidArgument('display_name is longer than 200 characters', [
            { field: 'display_name', description: 'at most 200 characters' },
          ]);
        const tenant = await provisioner.provision({
          tenantId,
          displayName,
          tier,
          databasePlacement: placement,
        });
        return { tenant: toProto(tenant) };
      },
      async getTenant(req, ctx) {
        admin(ctx);
        return { tenant: toProto(await found(req.tenantId)) };
      },
      async listTenants(_req, ctx) {
        admin(ctx);
        return { tenants: (await registry.list()).map(toProto) };
      },
      async suspendTenant(req, ctx) {
        admin(ctx);
        const tenantId = (await found(req.tenantId)).tenantId;
        const t = req.resume
          ? await provisioner.resume(tenantId)
          : await provisioner.suspend(tenantId);
        return { tenant: toProto(t) };
      },
      async deleteTenant(req, ctx) {
        admin(ctx);
        const tenantId = (await found(req.tenantId)).tenantId;
        return { tenant: toProto(await provisioner.remove(tenantId)) };
      },
    });
}
