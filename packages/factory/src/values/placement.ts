import { InvalidValuesError, type ValueViolation } from './validate-values.js';

/** Where tenant-owned (custom) primitives may run: `tenant-{id}-{env}-cust`. */
export const CUSTOM_NAMESPACE =
  /^tenant-([a-z0-9](?:[-a-z0-9]{0,30}[a-z0-9])?)-([a-z0-9]{1,12})-cust$/;

/**
 * Placement at scaffolding time (invariant 7): a tenant-owned primitive only targets its
 * tenant's `tenant-{id}-{env}-cust` namespace, never an `ameide-*` namespace (those are the
 * platform's); a platform primitive only targets `ameide-*`. The templates' parameter schemas
 * say the same; this check gives the reason and also ties the namespace to the tenant, which
 * JSON Schema cannot. Undefined: the placement is allowed (or there is no namespace to check).
 */
export function placementViolation(
  values: Readonly<Record<string, unknown>>,
): ValueViolation | undefined {
  const namespace = values.namespace;
  if (typeof namespace !== 'string') return undefined;
  const violation = (description: string): ValueViolation => ({ field: 'namespace', description });
  if (values.ownership === 'tenant') {
    if (namespace.startsWith('ameide-')) {
      return violation(
        `"${namespace}" is reserved: namespaces starting with "ameide-" hold platform primitives, and a tenant-owned (custom) primitive never runs there; use tenant-{id}-{env}-cust`,
      );
    }
    const match = CUSTOM_NAMESPACE.exec(namespace);
    if (!match)
      return violation(`"${namespace}" is not a custom-code namespace: use tenant-{id}-{env}-cust`);
    if (typeof values.tenant === 'string' && match[1] !== values.tenant) {
      return violation(
        `"${namespace}" belongs to tenant "${match[1]}", not to tenant "${values.tenant}"`,
      );
    }
    return undefined;
  }
  if (values.ownership === 'platform' && !namespace.startsWith('ameide-')) {
    return violation(`"${namespace}": a platform primitive runs in an ameide-* namespace`);
  }
  return undefined;
}

/** Throws {@link InvalidValuesError} when {@link placementViolation} finds one. */
export function checkPlacement(template: string, values: Readonly<Record<string, unknown>>): void {
  const v = placementViolation(values);
  if (v) throw new InvalidValuesError(template, [v]);
}
