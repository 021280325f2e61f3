import { createTenantRoutedDatabase, type Database } from '@ameide/persistence';
import type { TenantData, TenantRegistry } from '@ameide/tenancy';

/** A tenant database of its own, open. */
export interface DedicatedDatabase {
  readonly name: string;
  readonly db: Database;
}

/** Options of {@link createTenantRouting}. */
export interface TenantRoutingOptions {
  readonly registry: TenantRegistry;
  readonly data: TenantData;
  /** The shared database: every tenant without a database of its own. */
  readonly db: Database;
  /**
   * Reads the whole registry again this often: for a process that is not told of changes
   * (`ameide serve`, where TenantService runs elsewhere). Default: only when told (`refresh`).
   */
  readonly refreshMs?: number;
  /** Told when a refresh failed (the last known routes stay). */
  readonly onError?: (err: unknown) => void;
}

/**
 * Where each tenant's work goes, as provisioning recorded it: the database its rows are in
 * (`db` routes `withTenant` there) and the Temporal namespace its instances run in. Those who
 * run something per dedicated database or per namespace (relays, read models, workers)
 * subscribe and are called after each change, before the change is reported done.
 */
export interface TenantRouting {
  /** The shared database, routing `withTenant` of a tenant with a database of its own there. */
  readonly db: Database;
  /** The tenant's namespace of its own, else undefined (the shared one). */
  namespaceOf(tenantId: string): string | undefined;
  /** Every namespace of its own in use. */
  namespaces(): ReadonlySet<string>;
  /** Every live tenant with a database of its own. */
  dedicated(): ReadonlyMap<string, DedicatedDatabase>;
  /** Reads one tenant's record again (all of them without an id), then tells the subscribers. */
  refresh(tenantId?: string): Promise<void>;
  /** Called after every refresh; the routes are current when it runs. */
  subscribe(fn: () => Promise<void> | void): void;
  /** Stops the periodic refresh. */
  close(): void;
}

export async function createTenantRouting(options: TenantRoutingOptions): Promise<TenantRouting> {
  const { registry, data } = options;
  const dedicated = new Map<string, DedicatedDatabase>();
  const namespaces = new Map<string, string>();
  const subscribers: (() => Promise<void> | void)[] = [];
  const routeOne = async (tenantId: string, t: Awaited<ReturnType<TenantRegistry['get']>>) => {
    const live = t !== undefined && t.status !== 'deleted' && t.status !== 'deleting';
    if (live && t.databaseName !== '') {
      if (dedicated.get(tenantId)?.name !== t.databaseName)
        dedicated.set(tenantId, { name: t.databaseName, db: await data.open(t.databaseName) });
    } else dedicated.delete(tenantId);
    if (live && t.temporalNamespace !== '') namespaces.set(tenantId, t.temporalNamespace);
    else namespaces.delete(tenantId);
  };
  const tell = async () => {
    for (const fn of subscribers) await fn();
  };
  // One refresh at a time: a periodic one must not interleave with a provisioner's.
  let queue: Promise<void> = Promise.resolve();
  const refresh = (tenantId?: string) => {
    const next = queue.then(async () => {
      if (tenantId !== undefined) await routeOne(tenantId, await registry.get(tenantId));
      else {
        const all = await registry.list();
        const seen = new Set(all.map((t) => t.tenantId));
        for (const t of all) await routeOne(t.tenantId, t);
        for (const id of [...dedicated.keys(), ...namespaces.keys()])
          if (!seen.has(id)) await routeOne(id, undefined);
      }
      await tell();
    });
    queue = next.catch(() => undefined);
    return next;
  };
  await refresh();
  const timer =
    options.refreshMs !== undefined
      ? setInterval(() => {
          refresh().catch((err: unknown) => options.onError?.(err));
        }, options.refreshMs)
      : undefined;
  timer?.unref();
  return {
    db: createTenantRoutedDatabase(options.db, (tenantId) => dedicated.get(tenantId)?.db),
    namespaceOf: (tenantId) => namespaces.get(tenantId),
    namespaces: () => new Set(namespaces.values()),
    dedicated: () => dedicated,
    refresh,
    subscribe(fn) {
      subscribers.push(fn);
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
