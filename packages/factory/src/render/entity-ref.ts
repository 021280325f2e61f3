/** A catalog entity reference in its parts. */
export interface CompoundEntityRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Backstage's `parseEntityRef` (`[kind:][namespace/]name`, or an object with those fields),
 * with `defaultKind` / `defaultNamespace` for the parts left out; the scaffolder exposes it
 * as a template filter.
 */
export function parseEntityRef(
  ref: unknown,
  context: { defaultKind?: string; defaultNamespace?: string } = {},
): CompoundEntityRef {
  if (!ref) throw new Error('Entity reference must not be empty');
  let kind: string | undefined;
  let namespace: string | undefined;
  let name: string | undefined;
  if (typeof ref === 'string') {
    const colon = ref.indexOf(':');
    const slash = ref.indexOf('/');
    const split = colon !== -1 && (slash === -1 || colon < slash);
    kind = split ? ref.slice(0, colon) : undefined;
    const rest = split ? ref.slice(colon + 1) : ref;
    const s = rest.indexOf('/');
    namespace = s === -1 ? undefined : rest.slice(0, s);
    name = s === -1 ? rest : rest.slice(s + 1);
    if (kind === '' || namespace === '' || name === '') {
      throw new TypeError(
        `Entity reference "${ref}" was not on the form [<kind>:][<namespace>/]<name>`,
      );
    }
  } else if (typeof ref === 'object') {
    const r = ref as Record<string, unknown>;
    kind = typeof r.kind === 'string' ? r.kind : undefined;
    namespace = typeof r.namespace === 'string' ? r.namespace : undefined;
    name = typeof r.name === 'string' ? r.name : undefined;
  }
  kind ??= context.defaultKind;
  namespace ??= context.defaultNamespace ?? 'default';
  if (!kind)
    throw new TypeError(`Entity reference ${JSON.stringify(ref)} had missing or empty kind`);
  if (!name)
    throw new TypeError(`Entity reference ${JSON.stringify(ref)} had missing or empty name`);
  return { kind, namespace, name };
}
