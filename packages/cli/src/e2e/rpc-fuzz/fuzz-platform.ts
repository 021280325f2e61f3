import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createPlatform, type Platform } from '@ameide/platform';
import type { SalesDomain } from '@ameide/sales';
import { createEphemeralDevIdentity, createLogger, type DevIdentity } from '@ameide/server';
import { createTestDatabase } from '@ameide/testing';
import { seedDemoCustomers, seedDemoProcesses } from '../../dev/seed-demo.js';

/** The whole platform in this process, as `ameide dev` runs it, on real Postgres and Temporal. */
export interface FuzzPlatform {
  readonly platform: Platform;
  readonly identity: DevIdentity;
  readonly sales: SalesDomain;
  /** Published process definitions of the demo tenant. */
  readonly definitions: readonly string[];
  readonly customerIds: readonly string[];
  close(): Promise<void>;
}

/**
 * Platform, Transformation, Process (with its worker), Sales and Events
 * services behind one service host (`createPlatform`, the composition root
 * `ameide dev` uses), on a fresh database of the test server and a task queue
 * of its own on the test Temporal server, the demo tenant seeded as `ameide dev`
 * seeds it. Event retention is off, so every outbox row stays to be checked.
 * AMEIDE_FUZZ_LOG=<file> keeps the host's warnings and errors (what an
 * `internal` answer hid).
 */
export async function startFuzzPlatform(temporalAddress: string): Promise<FuzzPlatform> {
  const testDb = await createTestDatabase('rpc-fuzz');
  const identity = await createEphemeralDevIdentity();
  const seeded = { definitions: [] as string[], customerIds: [] as string[] };
  let platform: Platform;
  try {
    platform = await createPlatform({
      database: { postgresUrl: testDb.url, poolMax: 10 },
      identity,
      temporal: { address: temporalAddress, taskQueue: `rpc-fuzz-${randomUUID()}` },
      host: { port: 0, drainTimeoutMs: 2_000 },
      logger: createLogger({
        primitive: { type: 'platform', name: 'rpc-fuzz' },
        level: 'warn',
        destination: new Writable({
          write(chunk: Buffer, _encoding, done) {
            const file = process.env['AMEIDE_FUZZ_LOG'];
            if (file) appendFileSync(file, chunk);
            done();
          },
        }),
      }),
      retention: false,
      transformation: { watchPollMs: 100 },
      events: { pollMs: 100 },
      worker: { shutdownGraceTimeMs: 2_000 },
      async seed({ store, sales }) {
        seeded.definitions = (await seedDemoProcesses(store)).published;
        seeded.customerIds = (await seedDemoCustomers(sales!)).customers.map((c) => c.id);
      },
    });
  } catch (err) {
    await testDb.drop();
    throw err;
  }
  return {
    platform,
    identity,
    sales: platform.sales!,
    ...seeded,
    async close() {
      await platform.close();
      await testDb.drop();
    },
  };
}
