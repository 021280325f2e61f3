// The sales domain's events leave through the outbox only, and reach both
// transports: NATS JetStream (through the relay) and the Postgres log. A
// projection consuming them runs under each event's tenant.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, type Database } from '@ameide/persistence';
import {
  createConsumer,
  createNatsTransport,
  createPostgresTransport,
  createRelay,
  eventTablesMigration,
  type Consumer,
  type EventTransport,
} from '@ameide/events';
import { createPgDatabase } from '@ameide/persistence';
import type { AmeideClient } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { openSalesDatabase, startSalesHost } from './testing/sales-fixture.js';

async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('sales events reach JetStream and the Postgres transport (postgres)', () => {
  let db: Database;
  let url: string;
  let close: () => Promise<void>;
  let host: ServiceHost;
  let acme: AmeideClient;
  let globex: AmeideClient;
  let nats: EventTransport & { close(): Promise<void> };
  const consumers: Consumer[] = [];
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const opened = await openSalesDatabase('postgres', 'sales_events');
    ({ db, close } = opened);
    url = opened.url!;
    // A projection of another primitive, in its own schema with its own inbox.
    await migrate(db, {
      schema: 'order_board',
      migrations: [
        {
          version: 1,
          name: 'board',
          sql: `CREATE TABLE order_board.lines (tenant_id text NOT NULL, transport text NOT NULL, order_id text NOT NULL, type text NOT NULL, orders_visible int NOT NULL);
                SELECT ameide.enable_tenant_rls('order_board.lines');`,
        },
        eventTablesMigration('order_board', 2),
      ],
    });
    const platform = await startSalesHost(db);
    host = platform.host;
    acme = await platform.clientFor('acme');
    globex = await platform.clientFor('globex');
    nats = await createNatsTransport({
      servers: inject('natsUrl'),
      stream: 'EV_SALES',
      subjectPrefix: 'evsales',
      ackWaitMs: 2_000,
    });
    const relay = createRelay({
      db: createPgDatabase({ url, pool: { max: 1 } }),
      domain: 'sales',
      publisher: nats.publisher!,
      pollMs: 10,
    });
    relay.start();
    stops.push(() => relay.stop());
    for (const [name, transport] of [
      ['board_nats', nats],
      ['board_pg', createPostgresTransport({ db })],
    ] as const) {
      const c = createConsumer({
        name,
        domain: 'sales',
        transport,
        db,
        schema: 'order_board',
        types: ['sales.order.created.v1', 'sales.order.confirmed.v1'],
        waitMs: 100,
        handle: async (event, tx) => {
          const visible = await tx.query<{ n: bigint }>(`SELECT count(*) AS n FROM sales.orders`);
          await tx.query(
            `INSERT INTO order_board.lines (tenant_id, transport, order_id, type, orders_visible) VALUES ($1, $2, $3, $4, $5)`,
            [event.tenantId, name, event.aggregateId, event.type, Number(visible.rows[0]!.n)],
          );
        },
      });
      await c.start();
      consumers.push(c);
    }
  });
  afterAll(async () => {
    for (const c of consumers) await c.stop();
    for (const stop of stops) await stop();
    await nats?.close();
    await host?.close();
    await close?.();
  });

  it("delivers each tenant's order events to projections on both transports, each handled in its own tenant", async () => {
    const placed: Record<string, string[]> = { acme: [], globex: [] };
    for (const [tenant, client, n] of [
      ['acme', acme, 3],
      ['globex', globex, 2],
    ] as const) {
      const { customer } = await client.customers.createCustomer({
        name: tenant,
        email: `${tenant}@example.com`,
        creditLimit: { currency: 'EUR', amountMinor: 1_000_00n },
      });
      for (let i = 0; i < n; i++) {
        const { order } = await client.orders.createOrder({
          customerId: customer!.customerId,
          currency: 'EUR',
        });
        await client.orders.addOrderLine({
          orderId: order!.orderId,
          sku: 'X',
          quantity: 1,
          unitPrice: { currency: 'EUR', amountMinor: 1_00n },
        });
        await client.orders.confirmOrder({ orderId: order!.orderId });
        placed[tenant]!.push(order!.orderId);
      }
    }
    const rows = await eventually(
      'both projections',
      async () =>
        (
          await db.query<{
            tenant_id: string;
            transport: string;
            order_id: string;
            type: string;
            orders_visible: number;
          }>(`SELECT * FROM order_board.lines`)
        ).rows,
      (r) => r.length === 2 * 2 * 5,
    );
    for (const transport of ['board_nats', 'board_pg']) {
      for (const tenant of ['acme', 'globex']) {
        const mine = rows.filter((r) => r.transport === transport && r.tenant_id === tenant);
        expect(new Set(mine.map((r) => r.order_id))).toEqual(new Set(placed[tenant]));
        expect(mine.filter((r) => r.type === 'sales.order.confirmed.v1').length).toBe(
          placed[tenant]!.length,
        );
        // The handler saw only its event's tenant's orders (RLS), never the other tenant's.
        expect(mine.every((r) => r.orders_visible <= placed[tenant]!.length)).toBe(true);
      }
    }
    expect(consumers.map((c) => c.stats().rejected + c.stats().dead_lettered)).toEqual([0, 0]);
  });
});
