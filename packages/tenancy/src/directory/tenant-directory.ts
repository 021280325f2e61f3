import { AmeideError, ErrorCode } from '@ameide/errors';
import { createOidcVerifier, type TokenVerifier, type VerifiedClaims } from '@ameide/server';
import type { TenantRecord } from '../store/tenant-record.js';
import type { TenantRegistry } from '../store/tenant-registry.js';

/** Options of {@link createTenantDirectory}. */
export interface TenantDirectoryOptions {
  readonly registry: TenantRegistry;
  /**
   * Issuers whose tokens may claim any tenant (the platform's own signing key, an operators'
   * realm): only the tenant's status is checked for them.
   */
  readonly platformIssuers: readonly string[];
  /** `aud` tenant realms' tokens must carry (default `ameide`). */
  readonly audience?: string;
  /** How long a looked-up tenant is remembered (default 2 s); changes made here are seen at once. */
  readonly cacheMs?: number;
  /** Passed to each realm's verifier (see `TokenVerifierOptions.jwksCooldownMs`). */
  readonly jwksCooldownMs?: number;
}

/**
 * The tenants as the service host sees them: which realm (issuer) may act for which tenant,
 * and whether the tenant is active. Backs the host's verifier ({@link resolveIssuer}) and its
 * admission check ({@link admit}).
 */
export interface TenantDirectory {
  /** A verifier for a tenant realm's tokens, or undefined when no tenant has that issuer. */
  resolveIssuer(issuer: string): Promise<TokenVerifier | undefined>;
  /**
   * Admits the verified claims of a call, or refuses: `permission_denied` with
   * `TENANT_REALM_MISMATCH` when the realm does not serve the tenant claimed (or, in the shared
   * realm, the user is not a member of its organisation), `TENANT_SUSPENDED` /
   * `TENANT_NOT_ACTIVE` / `TENANT_DELETED` by status. In the shared realm the tenant is the
   * user's organisation, and only groups under `/<tenant>/` are kept (as their last segment).
   */
  admit(claims: VerifiedClaims): Promise<VerifiedClaims>;
  /** Forgets what it knows of a tenant (or of all), after a change. */
  forget(tenantId?: string): void;
}

const deny = (reason: string, message: string) =>
  new AmeideError(ErrorCode.PermissionDenied, message, { reason, domain: 'ameide.tenancy' });

export function createTenantDirectory(options: TenantDirectoryOptions): TenantDirectory {
  const cacheMs = options.cacheMs ?? 2_000;
  const platform = new Set(options.platformIssuers);
  const byTenant = new Map<string, { at: number; rec: TenantRecord | undefined }>();
  const byIssuer = new Map<string, { at: number; recs: TenantRecord[] }>();
  const verifiers = new Map<string, TokenVerifier>();
  const fresh = (at: number) => Date.now() - at < cacheMs;

  const tenant = async (tenantId: string) => {
    const hit = byTenant.get(tenantId);
    if (hit && fresh(hit.at)) return hit.rec;
    const rec = await options.registry.get(tenantId);
    byTenant.set(tenantId, { at: Date.now(), rec });
    return rec;
  };
  const tenantsOf = async (issuer: string) => {
    const hit = byIssuer.get(issuer);
    if (hit && fresh(hit.at)) return hit.recs;
    const recs = (await options.registry.byIssuer(issuer)).filter((r) => r.status !== 'deleted');
    byIssuer.set(issuer, { at: Date.now(), recs });
    return recs;
  };
  const checkStatus = (rec: TenantRecord) => {
    if (rec.status === 'active') return;
    if (rec.status === 'suspended')
      throw deny(
        'TENANT_SUSPENDED',
        `tenant ${rec.tenantId} is suspended (since ${rec.suspendedAt?.toISOString() ?? '?'}); its calls are refused`,
      );
    if (rec.status === 'deleted' || rec.status === 'deleting')
      throw deny('TENANT_DELETED', `tenant ${rec.tenantId} is deleted`);
    throw deny('TENANT_NOT_ACTIVE', `tenant ${rec.tenantId} is ${rec.status}, not active yet`);
  };

  return {
    async resolveIssuer(issuer) {
      const known = verifiers.get(issuer);
      if (known) return known;
      // Only issuers recorded for a tenant get a verifier (and a JWKS fetch): a token naming
      // any other issuer is refused without a request leaving the host.
      if ((await tenantsOf(issuer)).length === 0) return undefined;
      const verifier = createOidcVerifier({
        issuer,
        audience: options.audience ?? 'ameide',
        ...(options.jwksCooldownMs !== undefined ? { jwksCooldownMs: options.jwksCooldownMs } : {}),
      });
      verifiers.set(issuer, verifier);
      return verifier;
    },

    async admit(claims) {
      const iss = typeof claims.iss === 'string' ? claims.iss : '';
      if (platform.has(iss)) {
        const tenantId = typeof claims.tenantId === 'string' ? claims.tenantId : '';
        const rec = tenantId === '' ? undefined : await tenant(tenantId);
        // Tenants the registry does not know (the embedded demo tenant) keep working on platform tokens.
        if (rec) checkStatus(rec);
        return claims;
      }
      const recs = await tenantsOf(iss);
      if (recs.length === 0)
        throw new AmeideError(ErrorCode.Unauthenticated, 'token issuer not accepted', {
          reason: 'TOKEN_WRONG_ISSUER',
          domain: 'ameide.auth',
        });
      const shared = recs[0]!.tier === 'smb';
      if (!shared) {
        const rec = recs[0]!;
        if (claims.tenantId !== rec.tenantId)
          throw deny(
            'TENANT_REALM_MISMATCH',
            `token of realm ${rec.realm} claims tenant ${String(claims.tenantId)}; that realm serves tenant ${rec.tenantId} only`,
          );
        checkStatus(rec);
        return { ...claims, orgId: typeof claims.orgId === 'string' ? claims.orgId : '' };
      }
      const orgs = organizationsOf(claims.organization);
      const claimed =
        typeof claims.tenantId === 'string'
          ? claims.tenantId
          : orgs.length === 1
            ? orgs[0]
            : undefined;
      if (claimed === undefined)
        throw deny(
          'TENANT_MISSING',
          orgs.length === 0
            ? 'token of the shared realm names no organisation (claim "organization"): the user is in no tenant'
            : `token of the shared realm names ${orgs.length} organisations; sign in for one of them`,
        );
      const rec = recs.find((r) => r.tenantId === claimed);
      if (!rec || !orgs.includes(claimed))
        throw deny(
          'TENANT_REALM_MISMATCH',
          `token claims tenant ${claimed} but its user is not a member of that organisation of realm ${recs[0]!.realm}`,
        );
      checkStatus(rec);
      const prefix = `/${claimed}/`;
      const groups = Array.isArray(claims.groups)
        ? claims.groups
            .filter((g): g is string => typeof g === 'string' && g.startsWith(prefix))
            .map((g) => g.slice(prefix.length))
        : [];
      return { ...claims, tenantId: claimed, orgId: rec.organizationId, groups };
    },

    forget(tenantId) {
      if (tenantId === undefined) byTenant.clear();
      else byTenant.delete(tenantId);
      byIssuer.clear();
    },
  };
}

/** The organisation aliases of an `organization` claim (a list, or an object keyed by alias). */
function organizationsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((o): o is string => typeof o === 'string');
  if (typeof claim === 'object' && claim !== null) return Object.keys(claim);
  return [];
}
