import KcAdminClient from '@keycloak/keycloak-admin-client';
import type ClientRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientRepresentation.js';
import type ProtocolMapperRepresentation from '@keycloak/keycloak-admin-client/lib/defs/protocolMapperRepresentation.js';

/** Client ids every tenant realm (and the shared realm) has. */
export const CONSOLE_CLIENT = 'ameide-console';
export const CLI_CLIENT = 'ameide-cli';
/** The client scope whose mappers put what Ameide needs into access tokens. */
export const AMEIDE_SCOPE = 'ameide';

/** Options of {@link createKeycloakIdentity}. */
export interface KeycloakIdentityOptions {
  /** Base URL of the Keycloak server, e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  /** An admin of the `master` realm (the bootstrap admin, or a service account with realm-admin). */
  readonly admin:
    | { readonly username: string; readonly password: string }
    | { readonly clientId: string; readonly clientSecret: string };
  /** `aud` the platform's host requires (default `ameide`). */
  readonly audience?: string;
  /** Where the console may be redirected after sign-in (authorization code + PKCE). */
  readonly consoleRedirectUris?: readonly string[];
  /**
   * Also allow the resource-owner password grant on the CLI client (tests and local
   * development only; production uses the device flow). Default false.
   */
  readonly passwordGrant?: boolean;
}

/** What a tenant has in Keycloak, for GetTenant and the tests. */
export interface RealmDescription {
  readonly realm: string;
  readonly enabled: boolean;
  readonly clients: readonly string[];
  readonly mappers: readonly string[];
  readonly organization?: {
    readonly id: string;
    readonly alias: string;
    readonly enabled: boolean;
  };
}

/**
 * The Keycloak side of a tenant, every operation idempotent (what exists is kept), through the
 * admin REST API (`@keycloak/keycloak-admin-client`). Enterprise tenants get a realm of their own
 * whose `ameide` scope hard-codes their tenant id into every token; SMB tenants are an
 * organisation of the shared realm, whose `ameide` scope puts the user's organisations
 * (`organization`) and group paths into tokens instead, so the tenant comes from membership.
 */
export interface KeycloakIdentity {
  readonly url: string;
  issuerOf(realm: string): string;
  /** Creates the realm (organisations enabled for the shared one) when missing. */
  ensureRealm(realm: string, options: { displayName: string; shared: boolean }): Promise<void>;
  /** The `ameide` client scope with its mappers, a default scope of the realm. */
  ensureTokenScope(realm: string, options: { tenantId?: string }): Promise<string[]>;
  /** The console (public, PKCE) and CLI (public, device flow) clients. */
  ensureUserClients(realm: string): Promise<string[]>;
  /**
   * The confidential client whose service account primitives call the platform with;
   * returns its client id. In the shared realm it is per tenant and a member of its organisation.
   */
  ensureServiceClient(
    realm: string,
    options: { clientId: string; organizationId?: string },
  ): Promise<string>;
  /** The tenant's organisation in the shared realm, and its top-level group; returns the org id. */
  ensureOrganization(realm: string, alias: string, name: string): Promise<string>;
  setRealmEnabled(realm: string, enabled: boolean): Promise<void>;
  setOrganizationEnabled(realm: string, organizationId: string, enabled: boolean): Promise<void>;
  deleteRealm(realm: string): Promise<void>;
  /** Removes the organisation, its service client and its group from the shared realm. */
  deleteOrganization(
    realm: string,
    options: { organizationId: string; alias: string; serviceClientId: string },
  ): Promise<void>;
  describe(realm: string, organization?: { alias: string }): Promise<RealmDescription | undefined>;
  /** The admin client, authenticated (tests use it to add users). */
  admin(): Promise<KcAdminClient>;
}

const isStatus = (err: unknown, status: number): boolean =>
  (err as { response?: { status?: number } }).response?.status === status;

export function createKeycloakIdentity(options: KeycloakIdentityOptions): KeycloakIdentity {
  const url = options.url.replace(/\/+$/, '');
  const audience = options.audience ?? 'ameide';
  const kc = new KcAdminClient({ baseUrl: url, realmName: 'master' });
  let authedAt = 0;
  const admin = async () => {
    // The master realm's admin tokens live 60 s: take a new one well before that.
    if (Date.now() - authedAt > 30_000) {
      const { admin: a } = options;
      try {
        await kc.auth(
          'username' in a
            ? {
                grantType: 'password',
                clientId: 'admin-cli',
                username: a.username,
                password: a.password,
              }
            : {
                grantType: 'client_credentials',
                clientId: a.clientId,
                clientSecret: a.clientSecret,
              },
        );
      } catch (err) {
        throw new Error(
          `cannot sign in to Keycloak at ${url} as its admin: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      authedAt = Date.now();
    }
    return kc;
  };
  const findClient = async (realm: string, clientId: string) =>
    (await (await admin()).clients.find({ realm, clientId }))[0];
  const ensureClient = async (realm: string, rep: ClientRepresentation) => {
    const existing = await findClient(realm, rep.clientId!);
    if (existing) return existing.id!;
    try {
      return (await (await admin()).clients.create({ realm, ...rep })).id;
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      return (await findClient(realm, rep.clientId!))!.id!;
    }
  };
  // Keycloak searches organisations by name or domain, not alias: search by the name when
  // known, then look through the list for the alias.
  const findOrganization = async (realm: string, alias: string, name?: string) => {
    const client = await admin();
    const byName = name
      ? (await client.organizations.find({ realm, search: name })).find((o) => o.alias === alias)
      : undefined;
    return (
      byName ??
      (await client.organizations.find({ realm, first: 0, max: 100_000 })).find(
        (o) => o.alias === alias,
      )
    );
  };

  return {
    url,
    issuerOf: (realm) => `${url}/realms/${realm}`,
    admin,

    async ensureRealm(realm, { displayName, shared }) {
      const client = await admin();
      if (await client.realms.findOne({ realm })) return;
      try {
        await client.realms.create({
          realm,
          displayName,
          enabled: true,
          organizationsEnabled: shared,
          // Tokens are short-lived: the host re-verifies every call anyway.
          accessTokenLifespan: 300,
        });
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
    },

    async ensureTokenScope(realm, { tenantId }) {
      const client = await admin();
      let scope = (await client.clientScopes.find({ realm })).find((s) => s.name === AMEIDE_SCOPE);
      if (!scope) {
        try {
          await client.clientScopes.create({
            realm,
            name: AMEIDE_SCOPE,
            protocol: 'openid-connect',
            attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
          });
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
        }
        scope = (await client.clientScopes.find({ realm })).find((s) => s.name === AMEIDE_SCOPE)!;
      }
      const wanted: ProtocolMapperRepresentation[] = [
        {
          name: 'ameide-audience',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-audience-mapper',
          config: {
            'included.custom.audience': audience,
            'access.token.claim': 'true',
            'id.token.claim': 'false',
          },
        },
        {
          name: 'groups',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-group-membership-mapper',
          // The shared realm's groups are `/<tenant>/<group>`: the host keeps the caller's tenant's only.
          config: {
            'claim.name': 'groups',
            'full.path': tenantId === undefined ? 'true' : 'false',
            'access.token.claim': 'true',
            'id.token.claim': 'true',
          },
        },
        tenantId !== undefined
          ? {
              name: 'tenant-id',
              protocol: 'openid-connect',
              protocolMapper: 'oidc-hardcoded-claim-mapper',
              config: {
                'claim.name': 'tenantId',
                'claim.value': tenantId,
                'jsonType.label': 'String',
                'access.token.claim': 'true',
                'id.token.claim': 'true',
              },
            }
          : {
              name: 'organization',
              protocol: 'openid-connect',
              protocolMapper: 'oidc-organization-membership-mapper',
              config: {
                'claim.name': 'organization',
                multivalued: 'true',
                'jsonType.label': 'String',
                'access.token.claim': 'true',
                'id.token.claim': 'true',
              },
            },
      ];
      const have = new Set(
        (await client.clientScopes.listProtocolMappers({ realm, id: scope.id! })).map(
          (m) => m.name,
        ),
      );
      for (const mapper of wanted) {
        if (have.has(mapper.name)) continue;
        try {
          await client.clientScopes.addProtocolMapper({ realm, id: scope.id! }, mapper);
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
        }
      }
      const defaults = await client.clientScopes.listDefaultClientScopes(
        // Its declared payload type is `void & { realm }`.
        { realm } as unknown as void & { realm: string },
      );
      if (!defaults.some((s) => s.id === scope.id))
        await client.clientScopes.addDefaultClientScope({ realm, id: scope.id! });
      return wanted.map((m) => m.name!);
    },

    async ensureUserClients(realm) {
      const redirects = [
        ...(options.consoleRedirectUris ?? ['http://127.0.0.1:*', 'http://localhost:*']),
      ];
      await ensureClient(realm, {
        clientId: CONSOLE_CLIENT,
        name: 'Ameide console',
        publicClient: true,
        standardFlowEnabled: true,
        directAccessGrantsEnabled: false,
        redirectUris: redirects,
        webOrigins: ['+'],
        attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': '+' },
        defaultClientScopes: [
          'basic',
          'profile',
          'email',
          'roles',
          'web-origins',
          'acr',
          AMEIDE_SCOPE,
        ],
      });
      await ensureClient(realm, {
        clientId: CLI_CLIENT,
        name: 'Ameide CLI',
        publicClient: true,
        standardFlowEnabled: false,
        directAccessGrantsEnabled: options.passwordGrant === true,
        attributes: { 'oauth2.device.authorization.grant.enabled': 'true' },
        defaultClientScopes: ['basic', 'profile', 'email', 'roles', 'acr', AMEIDE_SCOPE],
      });
      return [CONSOLE_CLIENT, CLI_CLIENT];
    },

    async ensureServiceClient(realm, { clientId, organizationId }) {
      const id = await ensureClient(realm, {
        clientId,
        name: 'Ameide primitives (service account)',
        publicClient: false,
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        directAccessGrantsEnabled: false,
        defaultClientScopes: ['basic', 'roles', 'acr', AMEIDE_SCOPE],
      });
      if (organizationId !== undefined) {
        const client = await admin();
        const user = await client.clients.getServiceAccountUser({ realm, id });
        try {
          await client.organizations.addMember({ realm, orgId: organizationId, userId: user.id! });
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
        }
      }
      return clientId;
    },

    async ensureOrganization(realm, alias, name) {
      const client = await admin();
      let org = await findOrganization(realm, alias, name);
      if (!org) {
        try {
          await client.organizations.create({ realm, name, alias, enabled: true, domains: [] });
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
        }
        org = await findOrganization(realm, alias, name);
      }
      const groups = await client.groups.find({ realm, search: alias, exact: true });
      if (!groups.some((g) => g.name === alias)) {
        try {
          await client.groups.create({ realm, name: alias });
        } catch (err) {
          if (!isStatus(err, 409)) throw err;
        }
      }
      return org!.id!;
    },

    async setRealmEnabled(realm, enabled) {
      await (await admin()).realms.update({ realm }, { enabled });
    },

    async setOrganizationEnabled(realm, organizationId, enabled) {
      const client = await admin();
      const org = await client.organizations.findOne({ realm, id: organizationId });
      if (!org) return;
      await client.organizations.updateById({ realm, id: organizationId }, { ...org, enabled });
    },

    async deleteRealm(realm) {
      try {
        await (await admin()).realms.del({ realm });
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    },

    async deleteOrganization(realm, { organizationId, alias, serviceClientId }) {
      const client = await admin();
      // Members first: the service account user goes with its client.
      const service = await findClient(realm, serviceClientId);
      if (service) await client.clients.del({ realm, id: service.id! });
      if (organizationId !== '') {
        try {
          await client.organizations.delById({ realm, id: organizationId });
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
        }
      }
      for (const g of await client.groups.find({ realm, search: alias, exact: true }))
        if (g.name === alias) await client.groups.del({ realm, id: g.id! });
    },

    async describe(realm, organization) {
      const client = await admin();
      const rep = await client.realms.findOne({ realm });
      if (!rep) return undefined;
      const clients = (await client.clients.find({ realm })).map((c) => c.clientId!);
      const scope = (await client.clientScopes.find({ realm })).find(
        (s) => s.name === AMEIDE_SCOPE,
      );
      const mappers = scope
        ? (await client.clientScopes.listProtocolMappers({ realm, id: scope.id! })).map(
            (m) => m.name!,
          )
        : [];
      const org = organization ? await findOrganization(realm, organization.alias) : undefined;
      return {
        realm,
        enabled: rep.enabled === true,
        clients: clients.sort(),
        mappers: mappers.sort(),
        ...(org
          ? { organization: { id: org.id!, alias: org.alias!, enabled: org.enabled === true } }
          : {}),
      };
    },
  };
}
