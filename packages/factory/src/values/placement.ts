import { InvalidValuesError } from './validate-values.js';

/** Where tenant-owned (custom) primitives may run: `tenant-{id}-{env}-cust`. */
export const CUSTOM_NAMESPACE =
  /^tenant-([a-z0-9](?:[-a-z0-9]{0,30}[a-z0-9])?)-([a-z0-9]{1,12})-cust$/;

/**
 * Placement at scaffolding time (invariant 7): a tenant-owned primitive only targets its
 * tenant's `tenant-{id}-{env}-cust` namespace, never an `ameide-*` namespace (those are the
 * platform's); a platform primitive only targets `ameide-*`. The templates' parameter schemas
 * say the same; this check also ties the namespace to the tenant, which JSON Schema cannot.
 */
export function checkPlacement(template: string, values: Readonly<Record<string, unknown>>): void {
  const namespace = values.namespace;
  if (typeof namespace !== 'string') return;
  const tenantOwned = values.ownership === 'tenant';
  const refuse = (description: string): never => {
    throw new InvalidValuesError(template, [{ field: 'namespace', description }]);
  };
  if (tenantOwned) {
    if (namespace.startsWith('ameide-')) {
      refuse(
        `"${namespace}" is reserved: namespaces starting with "ameide-" hold platform primitives, and a tenant-owned (custom) primitive never runs there; use tenant-{id}-{env}-cust`,
      );
    }
    const match = CUSTOM_NAMESPACE.exec(namespace);
    if (!match) refuse(`"${namespace}" is not a custom-code namespace: use tenant-{id}-{env}-cust`);
    if (typeof values.tenant === 'string' && match![1] !== values.tenant) {
      refuse(`"${namespace}" belongs to tenant "${match![1]}", not to tenant "${values.tenant}"`);
    }
  } else if (!namespace.startsWith('ameide-')) {
    refuse(`"${namespace}": a platform primitive runs in an ameide-* namespace`);
  }
}
