/**
 * Which proto RPCs exist. The linter checks service task bindings against it; the platform
 * builds one from the protobuf-es registry of the descriptor set it ships.
 */
export interface ServiceRegistry {
  /** `service` is the fully-qualified proto service name, e.g. `ameide.sales.v1.OrderService`. */
  hasMethod(service: string, method: string): boolean;
}

/** A registry over a fixed list: `{ 'ameide.sales.v1.OrderService': ['CreateOrder', ...] }`. */
export function createServiceRegistry(
  methodsByService: Readonly<Record<string, readonly string[]>>,
): ServiceRegistry {
  const known = new Map<string, ReadonlySet<string>>();
  for (const [service, methods] of Object.entries(methodsByService)) {
    known.set(service, new Set(methods));
  }
  return { hasMethod: (service, method) => known.get(service)?.has(method) ?? false };
}
