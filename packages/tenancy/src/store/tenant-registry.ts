import type { Database, Queryable, Row } from '@ameide/persistence';
import type {
  DatabasePlacement,
  ProvisioningStepRecord,
  TenantRecord,
  TenantStatus,
  TenantTier,
} from './tenant-record.js';
import { TENANCY_SCHEMA } from './tenancy-migrations.js';

const T = `${TENANCY_SCHEMA}.tenants`;
const S = `${TENANCY_SCHEMA}.provisioning_steps`;

/** Fields of a tenant set when it is asked for. */
export interface TenantSpec {
  readonly tenantId: string;
  readonly displayName: string;
  readonly tier: TenantTier;
  readonly databasePlacement: DatabasePlacement;
}

/** Where a provisioning step put things, recorded on the tenant. */
export type TenantPlacement = Partial<
  Pick<TenantRecord, 'issuer' | 'realm' | 'organizationId' | 'temporalNamespace' | 'databaseName'>
>;

const placementColumns: Record<keyof TenantPlacement, string> = {
  issuer: 'issuer',
  realm: 'realm',
  organizationId: 'organization_id',
  temporalNamespace: 'temporal_namespace',
  databaseName: 'database_name',
};

/** The tenant registry's SQL (schema `tenancy`), on the platform's own connection. */
export interface TenantRegistry {
  /** Inserts the tenant as `provisioning`; returns the existing row when there is one (not changed). */
  insert(spec: TenantSpec): Promise<{ record: TenantRecord; created: boolean }>;
  get(tenantId: string): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  /** The tenants whose tokens come from `issuer`. */
  byIssuer(issuer: string): Promise<TenantRecord[]>;
  /** Records a step as done (with what it made), and the placement it decided, in one transaction. */
  stepDone(
    tenantId: string,
    step: string,
    detail: Readonly<Record<string, string>>,
    placement?: TenantPlacement,
  ): Promise<void>;
  setStatus(
    tenantId: string,
    status: TenantStatus,
    extra?: { failure?: string; suspendedAt?: 'now' | null; deletedAt?: 'now' },
  ): Promise<TenantRecord>;
  /** Forgets the recorded steps (a deleted tenant's), keeping the row as a tombstone. */
  clearSteps(tenantId: string): Promise<void>;
}

export function createTenantRegistry(db: Database): TenantRegistry {
  const read = async (q: Queryable, where: string, params: unknown[]) => {
    const rows = await q.query(`SELECT * FROM ${T} WHERE ${where} ORDER BY tenant_id`, params);
    if (rows.rows.length === 0) return [];
    const steps = await q.query(
      `SELECT * FROM ${S} WHERE tenant_id = ANY($1::text[]) ORDER BY completed_at, step`,
      [rows.rows.map((r) => r['tenant_id'])],
    );
    return rows.rows.map((r) =>
      toRecord(
        r,
        steps.rows.filter((s) => s['tenant_id'] === r['tenant_id']),
      ),
    );
  };
  const getOne = async (q: Queryable, tenantId: string) =>
    (await read(q, 'tenant_id = $1', [tenantId]))[0];
  return {
    async insert(spec) {
      return db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ${T} (tenant_id, display_name, tier, database_placement, status)
           VALUES ($1, $2, $3, $4, 'provisioning') ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id`,
          [spec.tenantId, spec.displayName, spec.tier, spec.databasePlacement],
        );
        return { record: (await getOne(tx, spec.tenantId))!, created: inserted.rows.length === 1 };
      });
    },
    get: (tenantId) => getOne(db, tenantId),
    list: () => read(db, 'true', []),
    byIssuer: (issuer) => read(db, 'issuer = $1', [issuer]),
    async stepDone(tenantId, step, detail, placement = {}) {
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO ${S} (tenant_id, step, detail) VALUES ($1, $2, $3)
           ON CONFLICT (tenant_id, step) DO UPDATE SET detail = EXCLUDED.detail`,
          [tenantId, step, JSON.stringify(detail)],
        );
        const entries = Object.entries(placement).filter(([, v]) => v !== undefined);
        if (entries.length > 0) {
          const sets = entries.map(
            ([k], i) => `${placementColumns[k as keyof TenantPlacement]} = $${i + 2}`,
          );
          await tx.query(
            `UPDATE ${T} SET ${sets.join(', ')}, updated_at = now() WHERE tenant_id = $1`,
            [tenantId, ...entries.map(([, v]) => v)],
          );
        }
      });
    },
    async setStatus(tenantId, status, extra = {}) {
      const sets = ['status = $2', 'updated_at = now()', 'failure = $3'];
      if (extra.suspendedAt === 'now') sets.push('suspended_at = now()');
      if (extra.suspendedAt === null) sets.push('suspended_at = NULL');
      if (extra.deletedAt === 'now') sets.push('deleted_at = now()');
      await db.query(`UPDATE ${T} SET ${sets.join(', ')} WHERE tenant_id = $1`, [
        tenantId,
        status,
        extra.failure ?? '',
      ]);
      return (await getOne(db, tenantId))!;
    },
    async clearSteps(tenantId) {
      await db.query(`DELETE FROM ${S} WHERE tenant_id = $1`, [tenantId]);
    },
  };
}

const date = (v: unknown): Date | undefined =>
  v === null || v === undefined
    ? undefined
    : v instanceof Date
      ? v
      : new Date(typeof v === 'string' || typeof v === 'number' ? v : Number.NaN);

function toRecord(r: Row, steps: readonly Row[]): TenantRecord {
  return {
    tenantId: String(r['tenant_id']),
    displayName: String(r['display_name']),
    tier: r['tier'] as TenantTier,
    databasePlacement: r['database_placement'] as DatabasePlacement,
    status: r['status'] as TenantStatus,
    issuer: String(r['issuer']),
    realm: String(r['realm']),
    organizationId: String(r['organization_id']),
    temporalNamespace: String(r['temporal_namespace']),
    databaseName: String(r['database_name']),
    failure: String(r['failure']),
    createdAt: date(r['created_at'])!,
    updatedAt: date(r['updated_at'])!,
    suspendedAt: date(r['suspended_at']),
    deletedAt: date(r['deleted_at']),
    steps: steps.map((s): ProvisioningStepRecord => ({
      step: String(s['step']),
      detail: (typeof s['detail'] === 'string' ? JSON.parse(s['detail']) : s['detail']) as Record<
        string,
        string
      >,
      completedAt: date(s['completed_at'])!,
    })),
  };
}
