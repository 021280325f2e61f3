// Timer start events through the composition root (PGlite, Temporal): publishing a process
// definition with a timer start creates its Temporal Schedule, publishing the next version
// replaces it, archiving the definition removes it — each visible through Temporal's API.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPlatform, type Platform } from '@ameide/platform';
import { ArtifactKind } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';

const bpmn = readFileSync(
  new URL('../../../examples/processes/daily-order-review.bpmn', import.meta.url),
  'utf8',
);

describe('timer start events as Temporal Schedules through createPlatform', () => {
  let platform: Platform;
  let acme: AmeideClient;
  let connection: Connection;
  let temporal: Client;
  const tenantId = `sched-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['process', 'sales'],
      temporal: { address: inject('temporalAddress'), taskQueue: `schedules-${randomUUID()}` },
      host: { port: 0 },
      logger: createSilentLogger(),
      retention: false,
      worker: { shutdownGraceTimeMs: 1_000 },
    });
    acme = createAmeideClient({
      baseUrl: platform.url,
      token: await identity.signToken({ tenantId, userId: 'alice', groups: ['sales'] }),
    });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection, namespace: 'default' });
  }, 180_000);

  afterAll(async () => {
    await platform?.close();
    await connection?.close();
  });

  /** The schedule once `check` holds for it (or `undefined`: once it is gone). */
  const schedule = async (
    id: string,
    check: (
      d: Awaited<ReturnType<ReturnType<Client['schedule']['getHandle']>['describe']>>,
    ) => boolean,
  ) => {
    for (let i = 0; i < 150; i++) {
      const d = await temporal.schedule
        .getHandle(id)
        .describe()
        .catch((err: unknown) => {
          if (err instanceof ScheduleNotFoundError) return undefined;
          throw err;
        });
      if (d && check(d)) return d;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`schedule ${id} never matched`);
  };
  const gone = async (id: string) => {
    for (let i = 0; i < 150; i++) {
      const found = await temporal.schedule
        .getHandle(id)
        .describe()
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof ScheduleNotFoundError) return false;
            throw err;
          },
        );
      if (!found) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`schedule ${id} is still there`);
  };

  it('creates, replaces and removes the schedule as versions are published and archived', async () => {
    const imported = await acme.transformation.importBpmn({ xml: new TextEncoder().encode(bpmn) });
    const { artifact } = await acme.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name: 'daily-order-review',
      contentType: 'application/json',
      content: imported.definition,
    });
    const id = `ameide-start:${tenantId}:${artifact!.id}:StartEvent_Daily`;
    await acme.transformation.publishArtifact({ artifactId: artifact!.id });
    const first = await schedule(id, (d) => d.state.note === 'daily-order-review version 1');
    expect(first.spec.intervals?.[0]?.every).toBe(86_400_000);
    // Version 2 fires every 12 hours, 4 times.
    const v2 = await acme.transformation.importBpmn({
      xml: new TextEncoder().encode(
        bpmn.replace('R/2026-01-05T07:00:00Z/P1D', 'R4/2026-01-05T07:00:00Z/PT12H'),
      ),
    });
    const { artifact: current } = await acme.transformation.getArtifact({
      artifactId: artifact!.id,
    });
    await acme.transformation.reviseArtifact({
      artifactId: artifact!.id,
      expectedVersion: current!.streamVersion,
      contentType: 'application/json',
      content: v2.definition,
    });
    await acme.transformation.publishArtifact({ artifactId: artifact!.id });
    const second = await schedule(id, (d) => d.state.note === 'daily-order-review version 2');
    expect(second.spec.intervals?.[0]?.every).toBe(43_200_000);
    expect(second.state.remainingActions).toBe(4);
    // Archived: no more timer starts.
    await acme.transformation.archiveArtifact({ artifactId: artifact!.id });
    await gone(id);
  }, 120_000);
});
