import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { TenantRecord } from '../store/tenant-record.js';

/** The field manager of the tenant service's server-side applies. */
export const TENANT_FIELD_MANAGER = 'ameide-tenancy';

/** An `AmeideTenant` name (and `spec.id`): what the operators' CRD admits. */
const RESOURCE_ID = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** The `AmeideTenant` resource of a tenant, as the tenant service declares it. */
export interface AmeideTenantResource extends KubernetesObject {
  readonly apiVersion: 'ameide.io/v1alpha1';
  readonly kind: 'AmeideTenant';
  readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
  readonly spec: {
    readonly id: string;
    readonly displayName?: string;
    /** enterprise → `Namespace` (base namespaces of its own), smb → `Shared`. */
    readonly sku: 'Shared' | 'Namespace';
  };
  readonly status?: {
    readonly namespaces?: readonly string[];
    readonly conditions?: readonly { type: string; status: string; reason?: string }[];
  };
}

/** Applies and deletes tenants' `AmeideTenant` resources (cluster-scoped) on a cluster. */
export interface KubernetesTenants {
  /** Why the tenant id cannot name a resource, or undefined when it can. */
  refuses(tenantId: string): string | undefined;
  /** Server-side apply of the tenant's resource (field manager {@link TENANT_FIELD_MANAGER}). */
  apply(tenant: TenantRecord): Promise<void>;
  /** The resource as the cluster has it (with the operator's status), or undefined. */
  get(tenantId: string): Promise<AmeideTenantResource | undefined>;
  /** Deletes it; an absent resource is fine. */
  remove(tenantId: string): Promise<void>;
}

/** The resource a tenant record declares. */
export function ameideTenantOf(tenant: TenantRecord): AmeideTenantResource {
  return {
    apiVersion: 'ameide.io/v1alpha1',
    kind: 'AmeideTenant',
    metadata: { name: tenant.tenantId, labels: { 'ameide.io/tenant': tenant.tenantId } },
    spec: {
      id: tenant.tenantId,
      ...(tenant.displayName ? { displayName: tenant.displayName.slice(0, 200) } : {}),
      sku: tenant.tier === 'enterprise' ? 'Namespace' : 'Shared',
    },
  };
}

/**
 * `kubeconfig`: `in-cluster` (the pod's service account), a kubeconfig file, or a loaded
 * {@link KubeConfig}. The service account needs `get`, `patch` and `delete` on
 * `ameidetenants.ameide.io`. The Kubernetes client (half a second to load) is loaded here,
 * not when the package is imported.
 */
export async function createKubernetesTenants(
  kubeconfig: string | KubeConfig,
): Promise<KubernetesTenants> {
  const { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy } =
    await import('@kubernetes/client-node');
  let kc: KubeConfig;
  if (kubeconfig instanceof KubeConfig) kc = kubeconfig;
  else {
    kc = new KubeConfig();
    if (kubeconfig === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromFile(kubeconfig);
  }
  const api = KubernetesObjectApi.makeApiClient(kc);
  const header = (tenantId: string) => ({
    apiVersion: 'ameide.io/v1alpha1' as const,
    kind: 'AmeideTenant' as const,
    metadata: { name: tenantId },
  });
  const said = (err: unknown, what: string) => {
    if (err instanceof ApiException) {
      const body = (() => {
        try {
          return (JSON.parse(String(err.body)) as { message?: string }).message;
        } catch {
          return undefined;
        }
      })();
      return new Error(
        `${what}: the Kubernetes API answered ${err.code}: ${body ?? String(err.body)}`,
        {
          cause: err,
        },
      );
    }
    return new Error(`${what}: ${(err as Error).message}`, { cause: err });
  };
  return {
    refuses: (tenantId) =>
      RESOURCE_ID.test(tenantId)
        ? undefined
        : 'on Kubernetes a tenant id is at most 32 lower-case letters, digits and -, starting and ending with a letter or digit (it names its AmeideTenant and namespaces)',
    async apply(tenant) {
      try {
        await api.patch(
          ameideTenantOf(tenant),
          undefined,
          undefined,
          TENANT_FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        );
      } catch (err) {
        throw said(err, `cannot apply AmeideTenant/${tenant.tenantId}`);
      }
    },
    async get(tenantId) {
      try {
        return await api.read<AmeideTenantResource>(header(tenantId));
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw said(err, `cannot read AmeideTenant/${tenantId}`);
      }
    },
    async remove(tenantId) {
      try {
        await api.delete(header(tenantId));
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return;
        throw said(err, `cannot delete AmeideTenant/${tenantId}`);
      }
    },
  };
}
