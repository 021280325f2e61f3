// What the Kafka transport adds to the conformance suite: its message layout (topic, key,
// partition, headers), replay from the beginning for a new consumer name, and offsets that
// never pass a delivery still to retry.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  KAFKA_HEADERS,
  kafkaGroupId,
  newEventId,
  tenantPartition,
  type Delivery,
  type EventCursor,
  type EventEnvelope,
} from '@ameide/events';
import { kafkaTransportFor } from '../testing/ledger-fixture.js';

const event = (tenantId: string, aggregateId: string, version: number): EventEnvelope => ({
  eventId: newEventId(),
  tenantId,
  domain: 'replay',
  aggregateType: 'account',
  aggregateId,
  aggregateVersion: BigInt(version),
  type: 'replay.account.deposited.v1',
  schemaVersion: 1,
  occurredAt: new Date(),
  correlationId: 'c',
  causationId: undefined,
  payload: { amount: version },
});

/** Reads deliveries until `done` says so (settling them with `outcome`), or fails after 30 s. */
async function readUntil(
  cursor: EventCursor,
  done: (seen: readonly Delivery[]) => boolean,
  outcome: (d: Delivery) => 'done' | 'retry' = () => 'done',
  retryDelayMs = 100,
): Promise<Delivery[]> {
  const seen: Delivery[] = [];
  const deadline = Date.now() + 30_000;
  while (!done(seen)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seen.length} deliveries`);
    const batch = await cursor.next({ max: 100, waitMs: 200 });
    seen.push(...batch);
    await cursor.settle(batch, outcome, retryDelayMs);
  }
  return seen;
}

describe('kafka transport', () => {
  let transport: Awaited<ReturnType<typeof kafkaTransportFor>>;
  let admin: Admin;
  const published: EventEnvelope[] = [];

  beforeAll(async () => {
    transport = await kafkaTransportFor('kafka-transport');
    admin = transport.kafka.admin();
    await admin.connect();
    for (let v = 1; v <= 5; v++)
      for (const tenant of ['acme', 'globex', 'initech'])
        published.push(event(tenant, `a-${tenant}`, v));
    const result = await transport.publisher!.publish(published);
    // Kafka has no event-id window: a duplicate is never recognised here (the inbox drops it).
    expect(result).toEqual({ published: 15, duplicates: 0 });
  });
  afterAll(async () => {
    await admin?.deleteTopics({ topics: [transport.topicOf('replay')] }).catch(() => undefined);
    await admin?.disconnect();
    await transport?.close();
  });

  it('writes analytics.<domain>-style topics of 6 partitions: key and partition by tenant, the proto envelope, id/type/tenant headers', async () => {
    const topic = transport.topicOf('replay');
    expect(topic).toMatch(/^t_kafka_transport_[0-9a-f]{8}\.replay$/);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions.length).toBe(6);
    const consumer = transport.kafka.consumer({ groupId: `${transport.groupIdPrefix}raw` });
    const messages: {
      partition: number;
      key: string;
      value: EventEnvelope;
      headers: Record<string, string>;
    }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({
          partition,
          key: message.key!.toString(),
          value: decodeEnvelope(message.value!),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 30_000;
    while (messages.length < published.length && Date.now() < deadline) await sleep(50);
    await consumer.disconnect();
    expect(messages.length).toBe(published.length);
    for (const m of messages) {
      expect(m.key).toBe(m.value.tenantId);
      expect(m.partition).toBe(tenantPartition(m.value.tenantId, 6));
      expect(m.headers).toEqual({
        [KAFKA_HEADERS.eventId]: m.value.eventId,
        [KAFKA_HEADERS.eventType]: 'replay.account.deposited.v1',
        [KAFKA_HEADERS.tenant]: m.value.tenantId,
      });
    }
    // Per tenant, the order it was published in.
    for (const tenant of ['acme', 'globex', 'initech'])
      expect(messages.filter((m) => m.key === tenant).map((m) => m.value.eventId)).toEqual(
        published.filter((e) => e.tenantId === tenant).map((e) => e.eventId),
      );
  });

  it('starts a consumer name never used before at the beginning of the topic (a rebuild), and one that committed where it stopped', async () => {
    const first = await transport.openCursor({ consumer: 'rebuild_a', domain: 'replay' });
    const all = await readUntil(first, (s) => s.length >= published.length);
    expect(new Set(all.map((d) => d.envelope!.eventId))).toEqual(
      new Set(published.map((e) => e.eventId)),
    );
    expect(all.every((d) => d.routedTenant === d.envelope!.tenantId)).toBe(true);
    await first.close();

    const later = event('acme', 'a-acme', 6);
    await transport.publisher!.publish([later]);
    // The same name again: only what came after its committed offsets.
    const again = await transport.openCursor({ consumer: 'rebuild_a', domain: 'replay' });
    const next = await readUntil(again, (s) => s.length >= 1);
    expect(next.map((d) => d.envelope!.eventId)).toEqual([later.eventId]);
    await again.close();

    // A fresh name: everything, from the earliest offset.
    const fresh = await transport.openCursor({ consumer: 'rebuild_b', domain: 'replay' });
    const replayed = await readUntil(fresh, (s) => s.length >= published.length + 1);
    expect(replayed.length).toBe(published.length + 1);
    await fresh.close();
  });

  it('delivers a retry again after retryDelayMs and never commits past it', async () => {
    const cursor = await transport.openCursor({ consumer: 'retrier', domain: 'replay' });
    const target = published.find((e) => e.tenantId === 'globex' && e.aggregateVersion === 3n)!;
    let refusals = 0;
    const times: number[] = [];
    const seen = await readUntil(
      cursor,
      (s) => s.filter((d) => d.envelope!.eventId === target.eventId).length >= 3,
      (d) => {
        if (d.envelope!.eventId !== target.eventId) return 'done';
        times.push(Date.now());
        refusals++;
        return 'retry';
      },
      300,
    );
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(290);
    // Its partition's committed offset stops at the retried event: a new member gets it again.
    const partition = tenantPartition('globex', 6);
    const [offsets] = await admin.fetchOffsets({
      groupId: kafkaGroupId(transport.groupIdPrefix, 'retrier', 'replay'),
      topics: [transport.topicOf('replay')],
    });
    const committed = Number(offsets!.partitions.find((p) => p.partition === partition)!.offset);
    const globex = seen.filter((d) => d.envelope!.tenantId === 'globex');
    expect(committed).toBe(2); // versions 1 and 2 of globex are at offsets 0 and 1
    expect(globex.some((d) => d.envelope!.aggregateVersion === 4n)).toBe(true);
    await cursor.close();
  });
});
