// Tenants on Kubernetes, through the composition root: TenantService applies each tenant's
// AmeideTenant resource on a real kube-apiserver, the real operator (its tenant reconciler)
// makes the tenant's namespaces, and deleting the tenant deletes the resource, whose
// namespaces the cluster's garbage collector then removes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '@ameide/errors/testing';
import { createPlatform, type Platform } from '@ameide/platform';
import { TenantTier } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, createLogger } from '@ameide/server';
import { createKubernetesTenants, type KubernetesTenants } from '@ameide/tenancy';
import {
  createTestDatabase,
  startTestKubeCluster,
  startTestOperator,
  type TestDatabase,
  type TestKubeCluster,
  type TestOperator,
} from '@ameide/testing';

const crdDir = fileURLToPath(new URL('../../../operators/config/crd', import.meta.url));

async function until<T>(what: string, probe: () => Promise<T | undefined>, more = () => '') {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${more()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('tenants on Kubernetes (kube-apiserver, the operator, Postgres)', () => {
  let cluster: TestKubeCluster;
  let operator: TestOperator;
  let testDb: TestDatabase;
  let platform: Platform;
  let admin: AmeideClient;
  let kube: KubernetesTenants;
  let core: CoreV1Api;
  const suffix = Math.random().toString(36).slice(2, 8);
  const smb = `shop-${suffix}`;
  const ent = `corp-${suffix}`;

  beforeAll(async () => {
    cluster = await startTestKubeCluster('tenants');
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    // The operators' CRDs, as `helm install` would put them.
    const objects = KubernetesObjectApi.makeApiClient(kc);
    for (const file of (await readdir(crdDir)).filter((f) => f.endsWith('.yaml')))
      for (const crd of loadAllYaml(
        await readFile(join(crdDir, file), 'utf8'),
      ) as KubernetesObject[])
        await objects.create(crd);
    await until('the AmeideTenant CRD to be served', async () =>
      objects
        .list('ameide.io/v1alpha1', 'AmeideTenant')
        .then(() => true)
        .catch(() => undefined),
    );
    operator = await startTestOperator({ kubeconfig: cluster.kubeconfig, reconcilers: ['tenant'] });
    kube = await createKubernetesTenants(cluster.kubeconfig);
    testDb = await createTestDatabase('tenants_kubernetes');
    const identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { postgresUrl: testDb.url, poolMax: 5 },
      identity,
      services: ['sales'],
      host: { port: 0, drainTimeoutMs: 1_000 },
      logger: createLogger({
        primitive: { type: 'platform', name: 'tenants-kube' },
        level: 'error',
      }),
      retention: false,
      tenancy: { kubernetes: kube, deleteRetentionMs: 0 },
    });
    admin = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({
        tenantId: 'platform',
        userId: 'ops',
        groups: ['platform-admin'],
      }),
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.close();
    await operator?.stop();
    await cluster?.stop();
    await testDb?.drop();
  });

  /** The tenant's namespaces (only the active ones unless `all`). */
  const namespacesOf = async (tenantId: string, all = false) =>
    (await core.listNamespace({ labelSelector: `ameide.io/tenant=${tenantId}` })).items
      .filter((n) => all || n.status?.phase === 'Active')
      .map((n) => n.metadata!.name!)
      .sort();

  it('applies an SMB tenant as a Shared AmeideTenant; the operator makes its custom namespace', async () => {
    const { tenant } = await admin.tenants.createTenant({
      tenantId: smb,
      displayName: 'Small Shop',
      tier: TenantTier.SMB,
    });
    expect({ status: tenant!.status, failure: tenant!.failure }).toEqual({
      status: 'active',
      failure: '',
    });
    expect(tenant!.steps.map((s) => s.name).at(-1)).toBe('kubernetes.ameide-tenant');
    const resource = await kube.get(smb);
    expect(resource?.spec).toMatchObject({ id: smb, displayName: 'Small Shop', sku: 'Shared' });
    const ready = await until(
      'the operator to make the namespaces',
      async () => {
        const r = await kube.get(smb);
        return r?.status?.namespaces?.length ? r : undefined;
      },
      () => operator.output(),
    );
    expect(ready.status?.namespaces).toEqual([`tenant-${smb}-prod-cust`]);
    expect(await namespacesOf(smb)).toEqual([`tenant-${smb}-prod-cust`]);
    // The same call again changes nothing.
    const again = await admin.tenants.createTenant({ tenantId: smb, tier: TenantTier.SMB });
    expect(again.tenant!.steps.map((s) => s.name)).toEqual(tenant!.steps.map((s) => s.name));
  }, 120_000);

  it('applies an enterprise tenant with namespaces of its own (sku Namespace)', async () => {
    await admin.tenants.createTenant({ tenantId: ent, tier: TenantTier.ENTERPRISE });
    expect((await kube.get(ent))?.spec.sku).toBe('Namespace');
    await until(
      'the enterprise namespaces',
      async () => ((await namespacesOf(ent)).length === 2 ? true : undefined),
      () => operator.output(),
    );
    expect(await namespacesOf(ent)).toEqual([`tenant-${ent}-prod-base`, `tenant-${ent}-prod-cust`]);
  }, 120_000);

  it('refuses a tenant id that cannot name a Kubernetes resource, before anything is written', async () => {
    for (const bad of ['Upper-Case', `x${'a'.repeat(40)}`, 'dots.in.id']) {
      const err = await rejectionOf(
        admin.tenants.createTenant({ tenantId: bad, tier: TenantTier.SMB }),
      );
      expect(err.code, bad).toBe('invalid_argument');
      expect(err.fieldViolations[0]?.field, bad).toBe('tenant_id');
      expect(err.message, bad).toContain('on Kubernetes a tenant id is at most 32');
    }
    const { tenants } = await admin.tenants.listTenants({});
    expect(tenants.map((t) => t.tenantId).sort()).toEqual([ent, smb].sort());
  });

  it('deletes the resource with the tenant; the cluster removes its namespaces', async () => {
    await admin.tenants.suspendTenant({ tenantId: smb });
    const { tenant } = await admin.tenants.deleteTenant({ tenantId: smb });
    expect(tenant!.status).toBe('deleted');
    expect(await kube.get(smb)).toBeUndefined();
    await until('the namespaces to go', async () =>
      (await namespacesOf(smb, true)).length === 0 ? true : undefined,
    );
    // The other tenant's are untouched.
    expect(await namespacesOf(ent)).toHaveLength(2);
  }, 120_000);
});
