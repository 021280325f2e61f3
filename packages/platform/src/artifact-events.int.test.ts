import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNatsTransport, type EventEnvelope } from '@ameide/events';
import { ArtifactKind } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { createEphemeralDevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';
import { createPlatform, type Platform } from '@ameide/platform';

/**
 * The Transformation Domain's artifact events are events of domain
 * `transformation` like any domain's: `EventService` tails them for their
 * tenant only, and the platform's relay publishes them to NATS JetStream.
 */
describe('artifact events through createPlatform', () => {
  let platform: Platform;
  let acme: AmeideClient;
  let globex: AmeideClient;
  const name = `doc-${randomUUID()}`;
  let artifactId: string;

  beforeAll(async () => {
    const identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['sales', 'events'],
      host: { port: 0, hostname: '127.0.0.1' },
      logger: createSilentLogger(),
      events: { pollMs: 50 },
      retention: false,
      natsUrl: inject('natsUrl'),
    });
    const client = async (tenantId: string) =>
      createAmeideClient({
        baseUrl: platform.url,
        token: await identity.signToken({ tenantId, userId: 'alice' }),
      });
    acme = await client('acme');
    globex = await client('globex');
    const created = await acme.transformation.createArtifact({
      kind: ArtifactKind.DOCUMENT,
      name,
      contentType: 'text/plain',
      content: new TextEncoder().encode('v0'),
    });
    artifactId = created.artifact!.id;
    await acme.transformation.reviseArtifact({
      artifactId,
      expectedVersion: 1n,
      contentType: 'text/plain',
      content: new TextEncoder().encode('v1'),
    });
  });
  afterAll(() => platform?.close());

  it('EventService tails domain transformation, for the artifact tenant only', async () => {
    const tailed = [];
    for await (const r of acme.events.tailEvents({ domain: 'transformation' })) tailed.push(r);
    expect(
      tailed.map((r) => ({
        domain: r.event!.domain,
        type: r.event!.type,
        aggregateType: r.event!.aggregateType,
        aggregateId: r.event!.aggregateId,
        aggregateVersion: r.event!.aggregateVersion,
      })),
    ).toEqual([
      {
        domain: 'transformation',
        type: 'transformation.artifact.created.v1',
        aggregateType: 'artifact',
        aggregateId: artifactId,
        aggregateVersion: 1n,
      },
      {
        domain: 'transformation',
        type: 'transformation.artifact.revised.v1',
        aggregateType: 'artifact',
        aggregateId: artifactId,
        aggregateVersion: 2n,
      },
    ]);
    const created = JSON.parse(new TextDecoder().decode(tailed[0]!.event!.payload)) as unknown;
    expect(created).toMatchObject({ kind: 'document', name, contentType: 'text/plain' });
    // The position is the one WatchArtifacts and history report.
    const { events } = await acme.transformation.getArtifactHistory({ artifactId });
    expect(events.map((e) => e.position)).toEqual(tailed.map((r) => r.position));
    expect(events.map((e) => e.type)).toEqual(tailed.map((r) => r.event!.type));

    const other = [];
    for await (const r of globex.events.tailEvents({ domain: 'transformation' })) other.push(r);
    expect(other).toEqual([]);
  });

  it('the relay publishes them to NATS JetStream', async () => {
    const nats = await createNatsTransport({ servers: inject('natsUrl') });
    try {
      const cursor = await nats.openCursor({
        consumer: `artifact-events-${randomUUID()}`,
        domain: 'transformation',
      });
      const seen: EventEnvelope[] = [];
      const deadline = Date.now() + 30_000;
      while (seen.length < 2 && Date.now() < deadline) {
        const batch = await cursor.next({ max: 100, waitMs: 500 });
        for (const d of batch) if (d.envelope?.aggregateId === artifactId) seen.push(d.envelope);
        await cursor.settle(batch, () => 'done', 0);
      }
      await cursor.close();
      expect(seen.map((e) => [e.type, e.aggregateVersion, e.tenantId])).toEqual([
        ['transformation.artifact.created.v1', 1n, 'acme'],
        ['transformation.artifact.revised.v1', 2n, 'acme'],
      ]);
    } finally {
      await nats.close();
    }
  });
});
