import type { EventsLogger } from '@ameide/events';
import type { Database } from '@ameide/persistence';
import { startEventRetention, type RetentionSettings } from './event-retention.js';
import type { StartSchedules } from '@ameide/process-runtime';
import { logRelays, type LogRelayTargets, type RunningLogRelay } from './log-relays.js';
import { startStartEventSync } from './start-schedules.js';
import { createProjectionsPrimitive } from './projections.js';

/** Options of {@link startDedicatedTenantLogs}. */
export interface DedicatedTenantLogsOptions extends LogRelayTargets {
  readonly tenantId: string;
  /** The tenant's own database (pooled). */
  readonly db: Database;
  /** A new one-connection handle on it, per relay. */
  readonly connection: () => Database;
  /** With the sales domain: the order-to-cash read model too. */
  readonly sales: boolean;
  readonly logger?: EventsLogger;
  /** How often idle projection consumers look for new events (default 50 ms). */
  readonly pollMs?: number;
  /** The schedules of timer start events, kept in step with the tenant database's publishing. */
  readonly startSchedules?: StartSchedules;
  /** Event retention on these schemas of the tenant database, as on the shared one. */
  readonly retention?: RetentionSettings & {
    readonly schemas: readonly string[];
    readonly relays?: readonly string[];
  };
}

/** The relays and read-model consumers of one tenant database. */
export interface DedicatedTenantLogs {
  readonly tenantId: string;
  readonly relays: readonly RunningLogRelay[];
  close(): Promise<void>;
}

/**
 * A tenant with a database of its own writes its events to that database's logs (its outbox
 * rows are in the same transaction as its state). So the platform runs, per such database,
 * what it runs on the shared one: event retention, the read models' consumers (their tables are in that
 * database too, where the read services find them through `withTenant`) and the relays to
 * NATS and Kafka (subjects and keys carry the tenant, as from the shared database).
 */
export async function startDedicatedTenantLogs(
  options: DedicatedTenantLogsOptions,
): Promise<DedicatedTenantLogs> {
  const projections = createProjectionsPrimitive({
    db: options.db,
    sales: options.sales,
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const relays: RunningLogRelay[] = [];
  let retention: { stop(): Promise<void> } | undefined;
  let schedules: { stop(): Promise<void> } | undefined;
  const close = async () => {
    await schedules?.stop().catch(() => undefined);
    await retention?.stop().catch(() => undefined);
    for (const relay of relays.splice(0).reverse()) await relay.close().catch(() => undefined);
    await projections.close();
  };
  try {
    await projections.start();
    for (const relay of logRelays({
      ...(options.nats ? { nats: options.nats } : {}),
      ...(options.kafka ? { kafka: options.kafka } : {}),
      connection: options.connection,
      clientTag: `ameide-relay-${options.tenantId}`,
      ...(options.logger ? { logger: options.logger } : {}),
    }))
      relays.push(await relay.start());
    if (options.startSchedules)
      schedules = startStartEventSync({
        db: options.db,
        schedules: options.startSchedules,
        ...(options.logger ? { logger: options.logger } : {}),
      });
    if (options.retention)
      retention = startEventRetention({
        db: options.db,
        ...options.retention,
        ...(options.logger ? { logger: options.logger } : {}),
      });
  } catch (err) {
    await close();
    throw err;
  }
  return { tenantId: options.tenantId, relays, close };
}
