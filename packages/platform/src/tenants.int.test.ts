// Tenants for real, through the composition root, against a real Keycloak, Postgres and
// Temporal: provisioning per tier (realm or organisation, clients, mappers, namespace,
// database), sign-in through Keycloak, the realm-to-tenant check, key rotation, resumable
// provisioning, suspension and deletion.
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgDatabase, type Database } from '@ameide/persistence';
import { createPlatform, type Platform } from '@ameide/platform';
import { ArtifactKind, DatabasePlacement, InstanceStatus, TenantTier } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity, createLogger, type DevIdentity } from '@ameide/server';
import { CLI_CLIENT, createKeycloakIdentity, type KeycloakIdentity } from '@ameide/tenancy';
import {
  createTestDatabase,
  testKeycloak,
  waitForTestKeycloak,
  type TestDatabase,
} from '@ameide/testing';
import { rejectionOf } from '@ameide/errors/testing';

describe('tenants on the platform (Keycloak, Postgres, Temporal)', () => {
  const run = randomUUID().slice(0, 8);
  const ent = `ent-${run}`;
  const smb = `smb-${run}`;
  const sharedRealm = `shared-${run}`;
  let testDb: TestDatabase;
  let platform: Platform;
  let identity: DevIdentity;
  let kc: KeycloakIdentity;
  let admin: AmeideClient;
  let owner: Database;
  /** Tenants whose provisioning runs stop (as a crash would) after each step, once per step. */
  const crashAfterEachStep = new Set<string>();
  const crashedAfter: string[] = [];

  beforeAll(async () => {
    await waitForTestKeycloak();
    const keycloak = testKeycloak();
    testDb = await createTestDatabase('tenants_platform');
    identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { postgresUrl: testDb.url, poolMax: 10 },
      identity,
      temporal: { address: inject('temporalAddress'), taskQueue: `tenants-${run}` },
      natsUrl: inject('natsUrl'),
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createLogger({
        primitive: { type: 'platform', name: 'tenants-int' },
        level: 'error',
      }),
      retention: false,
      worker: { shutdownGraceTimeMs: 2_000 },
      tenancy: {
        keycloak: { url: keycloak.url, admin: keycloak.admin, passwordGrant: true, sharedRealm },
        deleteRetentionMs: 0,
        jwksCooldownMs: 500,
        afterStep: (tenantId, step) => {
          if (crashAfterEachStep.has(tenantId) && !crashedAfter.includes(step)) {
            crashedAfter.push(step);
            throw new Error(`test stops the run after ${step}`);
          }
        },
      },
    });
    kc = createKeycloakIdentity({ url: keycloak.url, admin: keycloak.admin });
    owner = createPgDatabase({ url: testDb.url, pool: { max: 2 } });
    admin = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({
        tenantId: 'platform',
        userId: 'ops',
        groups: ['platform-admin'],
      }),
    });
  }, 480_000);

  afterAll(async () => {
    await owner?.close();
    await platform?.close();
    await testDb?.drop();
  });

  /** A user in the tenant's realm (or the shared realm, as a member of its organisation). */
  const addUser = async (realm: string, username: string, orgAlias?: string, group?: string) => {
    const client = await kc.admin();
    const { id } = await client.users.create({
      realm,
      username,
      enabled: true,
      email: `${username}@example.test`,
      emailVerified: true,
      firstName: username,
      lastName: 'Test',
      credentials: [{ type: 'password', value: 'secret-pw', temporary: false }],
    });
    if (orgAlias) {
      const { tenant } = await admin.tenants.getTenant({ tenantId: orgAlias });
      await client.organizations.addMember({ realm, orgId: tenant!.organizationId, userId: id });
    }
    if (group) {
      const [top] = (
        await client.groups.find({ realm, search: orgAlias ?? group, exact: true })
      ).filter((g) => g.name === (orgAlias ?? group));
      let groupId = top?.id;
      if (orgAlias) {
        const sub = await client.groups.createChildGroup({ realm, id: top!.id! }, { name: group });
        groupId = sub.id;
      } else if (!groupId) groupId = (await client.groups.create({ realm, name: group })).id;
      await client.users.addToGroup({ realm, id, groupId });
    }
    return id;
  };

  /** Signs in through Keycloak (password grant on the CLI client) and returns the access token. */
  const signIn = async (realm: string, username: string, clientId = CLI_CLIENT) => {
    const res = await fetch(`${kc.issuerOf(realm)}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: clientId,
        username,
        password: 'secret-pw',
        scope: 'openid',
      }),
    });
    const body = (await res.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
    return body.access_token;
  };
  const clientWith = (token: string) => createAmeideClient({ baseUrl: platform.url, token });

  it('refuses tenant tokens and bad input on TenantService', async () => {
    const tenantToken = await identity.signToken({ tenantId: 'acme', groups: ['platform-admin'] });
    const err = await rejectionOf(clientWith(tenantToken).tenants.listTenants({}));
    expect(err.code).toBe('permission_denied');
    expect(err.reason).toBe('PLATFORM_ADMIN_REQUIRED');
    const bad = await rejectionOf(
      admin.tenants.createTenant({ tenantId: 'no/slash', tier: TenantTier.SMB }),
    );
    expect(bad.code).toBe('invalid_argument');
    expect(bad.fieldViolations[0]?.field).toBe('tenant_id');
    const sandbox = await rejectionOf(
      admin.tenants.createTenant({ tenantId: 'Sandbox-abc', tier: TenantTier.SMB }),
    );
    expect(sandbox.message).toContain('tenant ids starting sandbox- are reserved');
    expect(sandbox.fieldViolations[0]?.field).toBe('tenant_id');
    const noTier = await rejectionOf(admin.tenants.createTenant({ tenantId: `x-${run}` }));
    expect(noTier.fieldViolations[0]?.field).toBe('tier');
    expect((await admin.tenants.listTenants({})).tenants).toEqual([]);
  });

  it('provisions an enterprise tenant, resuming after a stop after each step', async () => {
    const spec = {
      tenantId: ent,
      displayName: 'Enterprise Co',
      tier: TenantTier.ENTERPRISE,
      databasePlacement: DatabasePlacement.DEDICATED,
    };
    crashAfterEachStep.add(ent);
    // Each run stops after one more step; every re-run resumes and redoes no recorded step.
    let runs = 0;
    for (;;) {
      runs++;
      const done = await admin.tenants.createTenant(spec).then(
        (r) => r.tenant,
        () => undefined,
      );
      if (done) break;
      const { tenant } = await admin.tenants.getTenant({ tenantId: ent });
      expect(tenant!.status).toBe('provisioning');
      expect(tenant!.steps.map((s) => s.name)).toEqual(crashedAfter);
      if (runs > 12) throw new Error('provisioning does not finish');
    }
    expect(runs).toBe(crashedAfter.length + 1);
    const { tenant } = await admin.tenants.getTenant({ tenantId: ent });
    expect({ status: tenant!.status, failure: tenant!.failure }).toEqual({
      status: 'active',
      failure: '',
    });
    expect(tenant!.steps.map((s) => s.name)).toEqual([
      'identity.realm',
      'identity.token-mappers',
      'identity.clients',
      'identity.service-account',
      'temporal.namespace',
      'database',
    ]);
    expect(tenant!.realm).toBe(`tenant-${ent}`);
    expect(tenant!.issuer).toBe(kc.issuerOf(`tenant-${ent}`));
    const realm = await kc.describe(`tenant-${ent}`);
    expect(realm?.clients).toEqual(
      expect.arrayContaining(['ameide-cli', 'ameide-console', 'ameide-primitives']),
    );
    expect(realm?.mappers).toEqual(['ameide-audience', 'groups', 'tenant-id']);
    // The namespace exists with the platform's search attributes.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const attrs = await connection.operatorService.listSearchAttributes({
        namespace: `tenant-${ent}`,
      });
      expect(Object.keys(attrs.customAttributes ?? {})).toEqual(
        expect.arrayContaining(['AmeideTenant', 'AmeideStatus']),
      );
    } finally {
      await connection.close();
    }
    // The dedicated database exists and is migrated.
    const dbs = await owner.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      tenant!.databaseName,
    ]);
    expect(dbs.rows).toHaveLength(1);
  }, 180_000);

  it('provisions an SMB tenant as an organisation of the shared realm', async () => {
    const { tenant } = await admin.tenants.createTenant({
      tenantId: smb,
      displayName: 'Small Shop',
      tier: TenantTier.SMB,
    });
    expect({ status: tenant!.status, failure: tenant!.failure }).toEqual({
      status: 'active',
      failure: '',
    });
    expect(tenant!.realm).toBe(sharedRealm);
    expect(tenant!.temporalNamespace).toBe('default');
    const realm = await kc.describe(sharedRealm, { alias: smb });
    expect(realm?.organization).toMatchObject({ alias: smb, enabled: true });
    expect(realm?.mappers).toEqual(['ameide-audience', 'groups', 'organization']);
    // The same call again changes nothing.
    const again = await admin.tenants.createTenant({
      tenantId: smb,
      displayName: 'Small Shop',
      tier: TenantTier.SMB,
    });
    expect(again.tenant!.steps.map((s) => s.name)).toEqual(tenant!.steps.map((s) => s.name));
    const other = await rejectionOf(
      admin.tenants.createTenant({ tenantId: smb, tier: TenantTier.ENTERPRISE }),
    );
    expect(other.code).toBe('already_exists');
  }, 120_000);

  it("signs users in through Keycloak; each reaches only its tenant's data", async () => {
    await addUser(`tenant-${ent}`, 'erin');
    await addUser(sharedRealm, 'sam', smb, 'sales');
    const erin = clientWith(await signIn(`tenant-${ent}`, 'erin'));
    const sam = clientWith(await signIn(sharedRealm, 'sam'));
    const mine = await sam.customers.createCustomer({
      name: 'Sam Customer',
      email: 'c@example.test',
      creditLimit: { currency: 'EUR', amountMinor: 1000n },
    });
    const listed = await sam.customers.listCustomers({});
    expect(listed.customers.map((c) => c.customerId)).toEqual([mine.customer!.customerId]);
    const err = await rejectionOf(
      erin.customers.getCustomer({ customerId: mine.customer!.customerId }),
    );
    expect(err.code).toBe('not_found');
    // The enterprise tenant has a dedicated database: its rows land there, and only there.
    const theirs = await erin.customers.createCustomer({
      name: 'Erin Customer',
      email: 'e@example.test',
      creditLimit: { currency: 'EUR', amountMinor: 1000n },
    });
    const { tenant } = await admin.tenants.getTenant({ tenantId: ent });
    const url = new URL(testDb.url);
    url.pathname = `/${tenant!.databaseName}`;
    const own = createPgDatabase({ url: url.toString(), pool: { max: 1 } });
    try {
      const count = async (q: Database, tenantId: string) =>
        (
          await q.query('SELECT count(*)::int AS n FROM sales.customers WHERE tenant_id = $1', [
            tenantId,
          ])
        ).rows[0]!['n'];
      expect(await count(own, ent)).toBe(1);
      expect(await count(owner, ent)).toBe(0);
      expect(await count(own, smb)).toBe(0);
      expect(await count(owner, smb)).toBe(1);
    } finally {
      await own.close();
    }
    const read = await erin.customers.getCustomer({ customerId: theirs.customer!.customerId });
    expect(read.customer?.name).toBe('Erin Customer');
    // Every service answers each with its own data only.
    const order = await sam.orders.createOrder({
      customerId: mine.customer!.customerId,
      currency: 'EUR',
    });
    const { artifact } = await sam.transformation.createArtifact({
      kind: ArtifactKind.DOCUMENT,
      name: `notes-${run}`,
      contentType: 'text/plain',
      content: new TextEncoder().encode('smb notes'),
    });
    for (const [who, client, orders, artifacts] of [
      ['sam', sam, [order.order!.orderId], [artifact!.id]],
      ['erin', erin, [], []],
    ] as const) {
      const listedOrders = await client.orders.listOrders({});
      expect(
        listedOrders.orders.map((o) => o.orderId),
        who,
      ).toEqual(orders);
      const listedArtifacts = await client.transformation.listArtifacts({});
      expect(
        listedArtifacts.artifacts.map((a) => a.id),
        who,
      ).toEqual(artifacts);
    }
    expect((await rejectionOf(erin.orders.getOrder({ orderId: order.order!.orderId }))).code).toBe(
      'not_found',
    );
    expect(
      (await rejectionOf(erin.transformation.getArtifact({ artifactId: artifact!.id }))).code,
    ).toBe('not_found');
  }, 120_000);

  it("runs an enterprise tenant's instances in its own Temporal namespace, an SMB tenant's in the shared one", async () => {
    const erin = clientWith(await signIn(`tenant-${ent}`, 'erin'));
    const sam = clientWith(await signIn(sharedRealm, 'sam'));
    const definition = {
      schemaVersion: 1,
      id: 'hello',
      nodes: [
        { id: 'Start', type: 'startEvent', position: { x: 0, y: 0 }, data: {} },
        { id: 'End', type: 'endEvent', position: { x: 100, y: 0 }, data: {} },
      ],
      edges: [{ id: 'f1', source: 'Start', target: 'End' }],
    };
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      for (const [client, tenantId, namespace] of [
        [erin, ent, `tenant-${ent}`],
        [sam, smb, 'default'],
      ] as const) {
        const { artifact } = await client.transformation.createArtifact({
          kind: ArtifactKind.PROCESS_DEFINITION,
          name: 'hello',
          contentType: 'application/json',
          content: new TextEncoder().encode(JSON.stringify(definition)),
        });
        await client.transformation.publishArtifact({ artifactId: artifact!.id });
        const { instanceId } = await client.process.startProcess({
          definition: { case: 'definitionName', value: 'hello' },
        });
        let status: InstanceStatus | undefined;
        for (let i = 0; i < 300 && status !== InstanceStatus.COMPLETED; i++) {
          status = (await client.process.getProcessInstance({ instanceId })).instance?.status;
          if (status !== InstanceStatus.COMPLETED) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status, tenantId).toBe(InstanceStatus.COMPLETED);
        // The workflow is in the tenant's namespace (visibility follows a moment later).
        let found = 0;
        for (let i = 0; i < 100 && found === 0; i++) {
          const listed = await connection.workflowService.countWorkflowExecutions({
            namespace,
            query: `AmeideTenant = '${tenantId}'`,
          });
          found = Number(listed.count);
          if (found === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(found, `${tenantId} in ${namespace}`).toBeGreaterThan(0);
      }
      const stray = await connection.workflowService.countWorkflowExecutions({
        namespace: 'default',
        query: `AmeideTenant = '${ent}'`,
      });
      expect(Number(stray.count)).toBe(0);
    } finally {
      await connection.close();
    }
  }, 120_000);

  it("relays and projects a dedicated-database tenant's events from its own database", async () => {
    const erin = clientWith(await signIn(`tenant-${ent}`, 'erin'));
    const { customers } = await erin.customers.listCustomers({});
    const { order } = await erin.orders.createOrder({
      customerId: customers[0]!.customerId,
      currency: 'EUR',
    });
    const orderId = order!.orderId;
    // The order-to-cash read model of its database shows it (and its process instance's events).
    let summary: string | undefined;
    for (let i = 0; i < 200 && summary === undefined; i++) {
      summary = await erin.orderToCash.getOrderSummary({ orderId }).then(
        (r) => r.order?.orderId,
        () => undefined,
      );
      if (summary === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(summary).toBe(orderId);
    // Its events: in its database's logs only, tailed through the API, relayed to JetStream.
    const { tenant } = await admin.tenants.getTenant({ tenantId: ent });
    const url = new URL(testDb.url);
    url.pathname = `/${tenant!.databaseName}`;
    const own = createPgDatabase({ url: url.toString(), pool: { max: 1 } });
    try {
      const logged = async (q: Database, schema: string) =>
        (
          await q.query(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE tenant_id = $1`, [
            ent,
          ])
        ).rows[0]!['n'] as number;
      expect(await logged(own, 'sales')).toBeGreaterThan(0);
      expect(await logged(own, 'process')).toBeGreaterThan(0);
      expect(await logged(owner, 'sales')).toBe(0);
      expect(await logged(owner, 'process')).toBe(0);
      const projected = await own.query(
        'SELECT count(*)::int AS n FROM projection_order_to_cash.orders WHERE tenant_id = $1',
        [ent],
      );
      expect(projected.rows[0]!['n']).toBe(1);
    } finally {
      await own.close();
    }
    const tailed: string[] = [];
    for await (const r of erin.events.tailEvents({ domain: 'sales' })) tailed.push(r.event!.type);
    expect(tailed).toContain('sales.order.created.v1');
    const nc = await connect({ servers: inject('natsUrl') });
    try {
      const jsm = await jetstreamManager(nc);
      let relayed = 0;
      for (let i = 0; i < 100 && relayed === 0; i++) {
        const info = await jsm.streams.info('EVENTS', {
          subjects_filter: `events.${ent}.sales.>`,
        });
        relayed = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
        if (relayed === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(relayed).toBeGreaterThan(0);
    } finally {
      await nc.close();
    }
  }, 120_000);

  it('refuses a token of one realm that claims another tenant', async () => {
    const client = await kc.admin();
    const realm = `tenant-${ent}`;
    // A rogue client in the enterprise realm hard-codes another tenant's id.
    const { id } = await client.clients.create({
      realm,
      clientId: 'rogue',
      publicClient: true,
      directAccessGrantsEnabled: true,
      defaultClientScopes: ['basic', 'profile', 'email'],
      protocolMappers: [
        {
          name: 'aud',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: { 'included.custom.audience': 'ameide', 'access.token.claim': 'true' },
        },
        {
          name: 'tenant',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-hardcoded-claim-mapper',
          config: {
            'claim.name': 'tenantId',
            'claim.value': smb,
            'jsonType.label': 'String',
            'access.token.claim': 'true',
          },
        },
      ],
    });
    expect(id).toBeTruthy();
    const rogue = clientWith(await signIn(realm, 'erin', 'rogue'));
    const err = await rejectionOf(rogue.customers.listCustomers({}));
    expect(err.code).toBe('permission_denied');
    expect(err.reason).toBe('TENANT_REALM_MISMATCH');
  }, 60_000);

  it('picks up a rotated realm key without a restart', async () => {
    const client = await kc.admin();
    const realm = `tenant-${ent}`;
    const { id: realmId } = (await client.realms.findOne({ realm }))!;
    await client.components.create({
      realm,
      name: `rotated-${run}`,
      providerId: 'rsa-generated',
      providerType: 'org.keycloak.keys.KeyProvider',
      parentId: realmId!,
      config: { priority: ['500'], keySize: ['2048'], algorithm: ['RS256'] },
    });
    const token = await signIn(realm, 'erin');
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
      kid: string;
    };
    const keys = await client.realms.getKeys({ realm });
    const active = keys.active?.['RS256'];
    expect(header.kid).toBe(active);
    // The JWKS cooldown is 500 ms here (5 s by default).
    await new Promise((r) => setTimeout(r, 600));
    const { customers } = await clientWith(token).customers.listCustomers({});
    expect(customers.map((c) => c.name)).toEqual(['Erin Customer']);
  }, 60_000);

  it('suspends a tenant (every call refused, clearly), then deletes it', async () => {
    const samToken = await signIn(sharedRealm, 'sam');
    const { tenant } = await admin.tenants.suspendTenant({ tenantId: smb });
    expect(tenant!.status).toBe('suspended');
    const err = await rejectionOf(clientWith(samToken).customers.listCustomers({}));
    expect(err.code).toBe('permission_denied');
    expect(err.reason).toBe('TENANT_SUSPENDED');
    // Platform-signed tokens of the tenant are refused too.
    const dev = clientWith(await identity.signToken({ tenantId: smb }));
    expect((await rejectionOf(dev.orders.listOrders({}))).reason).toBe('TENANT_SUSPENDED');
    // An active tenant cannot be deleted.
    expect((await rejectionOf(admin.tenants.deleteTenant({ tenantId: ent }))).reason).toBe(
      'TENANT_NOT_SUSPENDED',
    );
    const rows = async () =>
      (
        await owner.query('SELECT count(*)::int AS n FROM sales.customers WHERE tenant_id = $1', [
          smb,
        ])
      ).rows[0]!['n'];
    expect(await rows()).toBe(1);
    const deleted = await admin.tenants.deleteTenant({ tenantId: smb });
    expect(deleted.tenant!.status).toBe('deleted');
    expect(await rows()).toBe(0);
    expect((await kc.describe(sharedRealm, { alias: smb }))?.organization).toBeUndefined();
    expect((await rejectionOf(dev.orders.listOrders({}))).reason).toBe('TENANT_DELETED');
    // The enterprise tenant: realm, namespace and database go too.
    await admin.tenants.suspendTenant({ tenantId: ent });
    const { tenant: gone } = await admin.tenants.deleteTenant({ tenantId: ent });
    expect(gone!.status).toBe('deleted');
    expect(await kc.describe(`tenant-${ent}`)).toBeUndefined();
    // The namespace is gone too (Temporal renames it away at once, then removes its workflows).
    const temporal = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const found = await temporal.workflowService
        .describeNamespace({ namespace: `tenant-${ent}` })
        .then(
          () => true,
          (err: unknown) => {
            if ((err as { code?: number }).code === 5) return false;
            throw err;
          },
        );
      expect(found).toBe(false);
    } finally {
      await temporal.close();
    }
    const dbs = await owner.query('SELECT 1 FROM pg_database WHERE datname LIKE $1', [
      `ameide_t_${ent.replace(/-/g, '_')}%`,
    ]);
    expect(dbs.rows).toHaveLength(0);
    const again = await rejectionOf(
      admin.tenants.createTenant({ tenantId: smb, tier: TenantTier.SMB }),
    );
    expect(again.reason).toBe('TENANT_ID_TAKEN');
  }, 120_000);
});
