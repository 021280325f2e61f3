import { describe, expect, it } from 'vitest';
import type { TenantRecord } from '../store/tenant-record.js';
import type { TenantRegistry } from '../store/tenant-registry.js';
import { createTenantDirectory } from './tenant-directory.js';

const KC = 'http://kc/realms';
const record = (r: Partial<TenantRecord> & Pick<TenantRecord, 'tenantId'>): TenantRecord => ({
  displayName: r.tenantId,
  tier: 'enterprise',
  databasePlacement: 'shared',
  status: 'active',
  issuer: `${KC}/tenant-${r.tenantId}`,
  realm: `tenant-${r.tenantId}`,
  organizationId: '',
  temporalNamespace: 'default',
  databaseName: '',
  failure: '',
  createdAt: new Date(0),
  updatedAt: new Date(0),
  suspendedAt: undefined,
  deletedAt: undefined,
  steps: [],
  ...r,
});

/** The registry's read side over a list (the directory only reads). */
function registryOf(tenants: TenantRecord[]): TenantRegistry {
  const unused = () => Promise.reject(new Error('not used by the directory'));
  return {
    get: (id) => Promise.resolve(tenants.find((t) => t.tenantId === id)),
    list: () => Promise.resolve(tenants),
    byIssuer: (iss) => Promise.resolve(tenants.filter((t) => t.issuer === iss)),
    insert: unused,
    stepDone: unused,
    setStatus: unused,
    clearSteps: unused,
  };
}

const tenants = [
  record({ tenantId: 'acme' }),
  record({ tenantId: 'paused', status: 'suspended', suspendedAt: new Date(1000) }),
  record({
    tenantId: 'shop',
    tier: 'smb',
    issuer: `${KC}/ameide`,
    realm: 'ameide',
    organizationId: 'org-shop',
  }),
  record({
    tenantId: 'cafe',
    tier: 'smb',
    issuer: `${KC}/ameide`,
    realm: 'ameide',
    organizationId: 'org-cafe',
  }),
];
const directory = createTenantDirectory({
  registry: registryOf(tenants),
  platformIssuers: ['urn:ameide:dev'],
});

describe('tenant directory admission', () => {
  it('lets platform tokens act for unknown tenants, never for suspended ones', async () => {
    await expect(
      directory.admit({ iss: 'urn:ameide:dev', tenantId: 'demo' }),
    ).resolves.toMatchObject({
      tenantId: 'demo',
    });
    await expect(
      directory.admit({ iss: 'urn:ameide:dev', tenantId: 'paused' }),
    ).rejects.toMatchObject({
      code: 'permission_denied',
      reason: 'TENANT_SUSPENDED',
    });
  });

  it("binds a realm to its tenant: another tenant's id from it is refused", async () => {
    await expect(
      directory.admit({ iss: `${KC}/tenant-acme`, tenantId: 'acme', groups: ['ops'] }),
    ).resolves.toMatchObject({ tenantId: 'acme', groups: ['ops'] });
    await expect(
      directory.admit({ iss: `${KC}/tenant-acme`, tenantId: 'shop' }),
    ).rejects.toMatchObject({ reason: 'TENANT_REALM_MISMATCH' });
    await expect(
      directory.admit({ iss: `${KC}/tenant-nobody`, tenantId: 'acme' }),
    ).rejects.toMatchObject({
      code: 'unauthenticated',
      reason: 'TOKEN_WRONG_ISSUER',
    });
  });

  it('takes the tenant of a shared-realm token from its organisation, and its groups under it', async () => {
    await expect(
      directory.admit({
        iss: `${KC}/ameide`,
        organization: ['shop'],
        groups: ['/shop/sales', '/cafe/admins', 'loose'],
      }),
    ).resolves.toMatchObject({ tenantId: 'shop', orgId: 'org-shop', groups: ['sales'] });
    // Claiming a tenant whose organisation the user is not in.
    await expect(
      directory.admit({ iss: `${KC}/ameide`, organization: ['shop'], tenantId: 'cafe' }),
    ).rejects.toMatchObject({ reason: 'TENANT_REALM_MISMATCH' });
    // A member of two organisations must say which.
    await expect(
      directory.admit({ iss: `${KC}/ameide`, organization: { shop: {}, cafe: {} } }),
    ).rejects.toMatchObject({ reason: 'TENANT_MISSING' });
    await expect(
      directory.admit({
        iss: `${KC}/ameide`,
        organization: { shop: {}, cafe: {} },
        tenantId: 'cafe',
      }),
    ).resolves.toMatchObject({ tenantId: 'cafe' });
    // An enterprise tenant's id from the shared realm.
    await expect(
      directory.admit({ iss: `${KC}/ameide`, organization: ['acme'] }),
    ).rejects.toMatchObject({ reason: 'TENANT_REALM_MISMATCH' });
  });

  it('resolves verifiers only for issuers some tenant has', async () => {
    expect(await directory.resolveIssuer(`${KC}/tenant-acme`)).toBeDefined();
    expect(await directory.resolveIssuer(`${KC}/evil`)).toBeUndefined();
  });
});
