import { randomBytes } from 'node:crypto';
import { findKeycloakHome, startKeycloak, type Keycloak } from '@ameide/launch';
import { createPgDatabase } from '@ameide/persistence';
import { migrateSales } from '@ameide/sales';
import {
  createEphemeralDevIdentity,
  createOidcVerifier,
  createTokenVerifier,
} from '@ameide/server';
import {
  CLI_CLIENT,
  createKeycloakIdentity,
  createTemporalNamespaces,
  createTenantData,
  createTenantProvisioner,
  createTenantRegistry,
  migrateTenancy,
} from '@ameide/tenancy';
import { SEARCH_ATTRIBUTE_TYPES } from '@ameide/process-runtime';
import { startTemporalServer } from '@ameide/testing';
import { compare, median, report } from './lib/measure.js';
import { benchPostgres } from './lib/postgres.js';

/**
 * Tenants on a real Keycloak, Postgres and Temporal:
 * - provisioning time per tier (TenantService's provisioner: realm or organisation, clients,
 *   mappers, namespace, database), next to the one admin call at its core made bare in the
 *   same run (creating a realm, or an organisation);
 * - the cost of verifying a Keycloak realm token with the JWKS cached (RS256, through
 *   discovery) vs a token of the platform's own dev key (ES256, local key set), both with the
 *   verifier's token cache off, so every call checks the signature.
 * Keycloak from the cache (`scripts/ensure-keycloak.mjs`) or `AMEIDE_BENCH_KEYCLOAK_URL`
 * (`http://ADMIN:PASSWORD@host:port`).
 */
export async function benchTenancy(): Promise<void> {
  const external = process.env['AMEIDE_BENCH_KEYCLOAK_URL'];
  let server: Keycloak | undefined;
  let url: string;
  let admin: { username: string; password: string };
  if (external) {
    const u = new URL(external);
    admin = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    url = u.origin;
  } else {
    admin = { username: 'admin', password: randomBytes(12).toString('base64url') };
    findKeycloakHome();
    const started = performance.now();
    server = await startKeycloak({ admin });
    console.log(`(keycloak started in ${Math.round(performance.now() - started)} ms)`);
    url = server.url;
  }
  const pgServer = await benchPostgres('tenancy');
  const temporal = await startTemporalServer();
  const db = createPgDatabase({ url: pgServer.url, pool: { max: 4 } });
  const identity = createKeycloakIdentity({ url, admin, passwordGrant: true });
  const namespaces = createTemporalNamespaces({
    address: temporal.address,
    searchAttributes: SEARCH_ATTRIBUTE_TYPES,
  });
  const run = Date.now().toString(36);
  const data = createTenantData({
    db,
    postgresUrl: pgServer.url,
    migrate: async (d) => {
      await migrateSales(d);
    },
  });
  try {
    await migrateTenancy(db);
    await migrateSales(db);
    const registry = createTenantRegistry(db);
    const provisioner = createTenantProvisioner({
      registry,
      data,
      identity,
      temporal: namespaces,
      sharedRealm: `shared-${run}`,
    });
    const kc = await identity.admin();
    const rounds = 5;
    const times = {
      enterprise: [] as number[],
      smb: [] as number[],
      realm: [] as number[],
      org: [] as number[],
    };
    // The shared realm exists after the first SMB tenant: the first is set apart as warm-up.
    await provisioner.provision({
      tenantId: `warm-${run}`,
      displayName: 'warm',
      tier: 'smb',
      databasePlacement: 'shared',
    });
    await provisioner.provision({
      tenantId: `warme-${run}`,
      displayName: 'warm',
      tier: 'enterprise',
      databasePlacement: 'shared',
    });
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      const e = await provisioner.provision({
        tenantId: `e${i}-${run}`,
        displayName: `E ${i}`,
        tier: 'enterprise',
        databasePlacement: 'shared',
      });
      times.enterprise.push(performance.now() - t);
      if (e.status !== 'active') throw new Error(`enterprise tenant ${e.tenantId}: ${e.failure}`);
      t = performance.now();
      const s = await provisioner.provision({
        tenantId: `s${i}-${run}`,
        displayName: `S ${i}`,
        tier: 'smb',
        databasePlacement: 'shared',
      });
      times.smb.push(performance.now() - t);
      if (s.status !== 'active') throw new Error(`smb tenant ${s.tenantId}: ${s.failure}`);
      t = performance.now();
      await kc.realms.create({ realm: `bare-${i}-${run}`, enabled: true });
      times.realm.push(performance.now() - t);
      t = performance.now();
      await kc.organizations.create({
        realm: `shared-${run}`,
        name: `Bare ${i}`,
        alias: `bare-${i}`,
        enabled: true,
        domains: [],
      });
      times.org.push(performance.now() - t);
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof times,
      number
    >;
    report(
      'provision enterprise tenant (realm, mappers, 3 clients, namespace + search attributes, shared db)',
      m.enterprise,
      'ms',
      m.enterprise / m.realm,
      'creating a bare realm',
    );
    report(
      'provision smb tenant (organisation + group, service client as member, shared namespace and db)',
      m.smb,
      'ms',
      m.smb / m.org,
      'creating a bare organisation',
    );
    const t0 = performance.now();
    const d = await provisioner.provision({
      tenantId: `d-${run}`,
      displayName: 'D',
      tier: 'smb',
      databasePlacement: 'dedicated',
    });
    const dedicatedMs = performance.now() - t0;
    if (d.status !== 'active') throw new Error(d.failure);
    report(
      'provision smb tenant with a dedicated database (CREATE DATABASE + sales migrations)',
      dedicatedMs,
      'ms',
      dedicatedMs / m.smb,
      'smb on the shared database',
    );

    // Token verification.
    const realm = `tenant-e0-${run}`;
    await kc.users.create({
      realm,
      username: 'bench',
      enabled: true,
      email: 'b@example.test',
      emailVerified: true,
      firstName: 'B',
      lastName: 'B',
      credentials: [{ type: 'password', value: 'pw', temporary: false }],
    });
    const res = await fetch(`${identity.issuerOf(realm)}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: CLI_CLIENT,
        username: 'bench',
        password: 'pw',
        scope: 'openid',
      }),
    });
    const { access_token: realmToken } = (await res.json()) as { access_token: string };
    const oidc = createOidcVerifier({
      issuer: identity.issuerOf(realm),
      audience: 'ameide',
      cacheSize: 0,
      maxLifetimeSec: 3600,
    });
    await oidc.verify(realmToken); // discovery + first JWKS fetch, outside the clock
    const dev = await createEphemeralDevIdentity();
    const devToken = await dev.signToken({ tenantId: 'acme' });
    const local = createTokenVerifier({
      issuer: dev.issuer,
      audience: dev.audience,
      jwks: dev.jwks,
      cacheSize: 0,
    });
    const c = await compare(
      () => local.verify(devToken),
      () => oidc.verify(realmToken),
      { opsPerRound: 2_000, rounds: 7 },
    );
    report(
      'verify a Keycloak realm token (RS256, JWKS cached)',
      c.candidate.usPerOp,
      'us/op',
      c.timeRatio,
      'a dev-key token (ES256, local key set)',
    );
  } finally {
    await data.close();
    await namespaces.close();
    await db.close();
    await temporal.stop();
    await pgServer.stop();
    await server?.stop();
  }
}
