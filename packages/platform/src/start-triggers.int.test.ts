// Message and signal start events through the composition root (PGlite, Temporal, the RPC API):
// publishing a definition indexes its start events (the start-trigger sync), CorrelateMessage
// starts an instance when none waits (once per message id), BroadcastSignal starts the signal
// start events of its tenant only, and archiving the definition stops both.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPlatform, type Platform } from '@ameide/platform';
import { ArtifactKind, InstanceStatus } from '@ameide/proto';
import { createAmeideClient, type AmeideClient } from '@ameide/sdk';
import { isAmeideError, type AmeideError } from '@ameide/errors';
import { createEphemeralDevIdentity } from '@ameide/server';
import { createSilentLogger } from '@ameide/server/testing';

const example = (name: string) =>
  readFileSync(new URL(`../../../examples/processes/${name}.bpmn`, import.meta.url), 'utf8');

/** Waits for a message `Ping` keyed by `ref`, then ends: a waiting instance for message ids. */
const pingWait = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="Definitions_ping" targetNamespace="https://ameide.io/bpmn/tests">
  <bpmn:message id="Message_Ping" name="Ping" />
  <bpmn:process id="ping-wait" isExecutable="true">
    <bpmn:extensionElements>
      <ameide:variables><ameide:variable name="ref" type="string" required="true" /></ameide:variables>
    </bpmn:extensionElements>
    <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="Catch_Ping">
      <bpmn:extensionElements>
        <ameide:messageBinding><ameide:correlationKey>ref</ameide:correlationKey></ameide:messageBinding>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="Message_Ping" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Catch_Ping" />
    <bpmn:sequenceFlow id="f2" sourceRef="Catch_Ping" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>`;

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 150; i++) {
    try {
      const v = await fn();
      if (ok(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never held; last: ${String(last)}`);
}

describe('message and signal start events through createPlatform', () => {
  let platform: Platform;
  let acme: AmeideClient;
  let globex: AmeideClient;
  const acmeId = `trig-a-${randomUUID().slice(0, 8)}`;
  const globexId = `trig-b-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const identity = await createEphemeralDevIdentity();
    platform = await createPlatform({
      database: { pglite: true },
      identity,
      services: ['process', 'sales'],
      temporal: { address: inject('temporalAddress'), taskQueue: `triggers-${randomUUID()}` },
      host: { port: 0 },
      logger: createSilentLogger(),
      retention: false,
      worker: { shutdownGraceTimeMs: 1_000 },
    });
    const client = async (tenantId: string) =>
      createAmeideClient({
        baseUrl: platform.url,
        token: await identity.signToken({ tenantId, userId: 'alice', groups: ['sales'] }),
      });
    acme = await client(acmeId);
    globex = await client(globexId);
  }, 180_000);

  afterAll(async () => {
    await platform?.close();
  });

  const publish = async (who: AmeideClient, name: string, xml: string) => {
    const imported = await who.transformation.importBpmn({ xml: new TextEncoder().encode(xml) });
    const { artifact } = await who.transformation.createArtifact({
      kind: ArtifactKind.PROCESS_DEFINITION,
      name,
      contentType: 'application/json',
      content: imported.definition,
    });
    await who.transformation.publishArtifact({ artifactId: artifact!.id });
    return artifact!.id;
  };
  const completed = (who: AmeideClient, instanceId: string) =>
    eventually(
      () => who.process.getProcessInstance({ instanceId }),
      (r) => r.instance?.status === InstanceStatus.COMPLETED,
    );
  /** The error a call failed with (the SDK answers AmeideErrors); undefined when it succeeded. */
  const errorOf = (p: Promise<unknown>): Promise<AmeideError | undefined> =>
    p.then(
      () => undefined,
      (err: unknown) => {
        if (!isAmeideError(err)) throw err;
        return err;
      },
    );

  it('CorrelateMessage starts order-intake once per message id; archived, the message starts nothing', async () => {
    const artifactId = await publish(acme, 'order-intake', example('order-intake'));
    const message = {
      messageName: 'OrderReceived',
      correlationKey: 'web-7',
      payload: { orderRef: 'web-7', customer: 'c-7', amountMinor: 120_000 },
      messageId: 'shop-7',
    };
    // The start-trigger sync indexes the version asynchronously: retried until it has.
    const first = await eventually(
      () => acme.process.correlateMessage(message),
      (r) => r.started,
    );
    expect(first.instanceIds).toHaveLength(1);
    const again = await acme.process.correlateMessage(message);
    expect(again.instanceIds).toEqual(first.instanceIds);
    expect(again.started).toBe(true);
    const done = await completed(acme, first.instanceIds[0]!);
    expect(done.instance?.definition?.name).toBe('order-intake');
    expect(done.instance?.variables).toMatchObject({ orderRef: 'web-7', priority: true });
    const listed = await eventually(
      () => acme.process.listProcessInstances({ definitionName: 'order-intake' }),
      (r) => r.instances.length > 0,
    );
    expect(listed.instances.map((i) => i.instanceId)).toEqual(first.instanceIds);

    // The same id for another message: refused, naming the field.
    const reused = await errorOf(
      acme.process.correlateMessage({ ...message, payload: { orderRef: 'web-8' } }),
    );
    expect(reused).toMatchObject({ code: 'failed_precondition', reason: 'MESSAGE_ID_REUSED' });
    expect(reused?.message).toBe('message id shop-7 was already used for another message');

    // Another tenant has no order-intake: its message starts nothing there or here.
    const elsewhere = await errorOf(globex.process.correlateMessage({ ...message, messageId: '' }));
    expect(elsewhere?.code).toBe('not_found');

    await acme.transformation.archiveArtifact({ artifactId });
    const archived = await eventually(
      // Without an id: an id would answer its first (pre-archive) start on every retry.
      () => errorOf(acme.process.correlateMessage({ ...message, messageId: '' })),
      (err) => err?.code === 'not_found',
    );
    expect(archived?.message).toBe(
      'no process instance waits for message OrderReceived with key web-7',
    );
  }, 120_000);

  it('a message id delivered to a waiting instance is not delivered again', async () => {
    await publish(acme, 'ping-wait', pingWait);
    const { instanceId } = await acme.process.startProcess({
      definition: { case: 'definitionName', value: 'ping-wait' },
      variables: { ref: 'p-1' },
    });
    const ping = { messageName: 'Ping', correlationKey: 'p-1', messageId: 'ping-1' };
    const first = await eventually(
      () => acme.process.correlateMessage(ping),
      () => true,
    );
    expect(first).toMatchObject({ instanceIds: [instanceId], started: false });
    await completed(acme, instanceId);
    // Nobody waits any more: without the receipt this would be NOT_FOUND.
    expect(await acme.process.correlateMessage(ping)).toMatchObject({
      instanceIds: [instanceId],
      started: false,
    });
  }, 120_000);

  it('BroadcastSignal starts recall-notice with the payload, in the caller tenant only', async () => {
    await publish(acme, 'recall-notice', example('recall-notice'));
    await publish(globex, 'recall-notice', example('recall-notice'));
    const started = await eventually(
      () =>
        acme.process.broadcastSignal({
          signalName: 'ProductRecall',
          payload: { recalledProduct: 'kettle K2' },
        }),
      (r) => r.startedInstanceIds.length > 0,
    );
    expect(started.startedInstanceIds).toHaveLength(1);
    const done = await completed(acme, started.startedInstanceIds[0]!);
    expect(done.instance?.variables?.['notice']).toBe('Recall: kettle K2');
    // Globex's definition did not start: its tenant never saw the signal.
    const globexInstances = await globex.process.listProcessInstances({
      definitionName: 'recall-notice',
    });
    expect(globexInstances.instances).toEqual([]);
    // A payload the variables refuse: invalid_argument naming the variable, nothing started.
    const refused = await errorOf(
      acme.process.broadcastSignal({
        signalName: 'ProductRecall',
        payload: { recalledProduct: 1 },
      }),
    );
    expect(refused?.code).toBe('invalid_argument');
    expect(refused?.message).toContain('payload.recalledProduct must be a string');
  }, 120_000);
});
