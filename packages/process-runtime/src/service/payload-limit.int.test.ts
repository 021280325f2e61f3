import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fromConnectError } from '@ameide/errors';
import { ProcessService } from '@ameide/proto';
import { authInterceptor } from '@ameide/sdk';
import { startTestHost, type TestHost } from '@ameide/server/testing';
import { compileExample } from '../testing/example-plans.js';
import { startRuntimeFixture, type RuntimeFixture } from '../testing/runtime-fixture.js';
import { MAX_PAYLOAD_BYTES } from './payload-limit.js';
import { processServiceRoutes } from './process-service.js';

// Temporal refuses payloads over 2 MiB only after its client has retried for
// most of a minute (the call then failed as `internal`). The ProcessService
// measures the JSON first and answers at once, with the limit in the message.

let rt: RuntimeFixture;
let host: TestHost<Client<typeof ProcessService>>;
let processes: Client<typeof ProcessService>;

beforeAll(async () => {
  rt = await startRuntimeFixture(inject('temporalAddress'), 'payload-limit', { worker: false });
  rt.publish('order-to-cash', 1, await compileExample('order-to-cash'));
  host = await startTestHost({
    identity: rt.identity,
    primitive: { type: 'process', name: 'test' },
    services: [processServiceRoutes(rt.processes)],
    client: ({ baseUrl, token }) =>
      createClient(
        ProcessService,
        createConnectTransport({
          baseUrl,
          httpVersion: '1.1',
          interceptors: [authInterceptor(token)],
        }),
      ),
  });
  processes = await host.clientFor('payload', 'alice');
});
afterAll(async () => {
  await host?.close();
  await rt?.close();
});

const declared = {
  customerId: 'c-1',
  currency: 'EUR',
  paymentReference: 'PAY-1',
  quantity: 1,
  sku: 'S',
  unitPriceMinor: 10,
};
/** Declared variables plus a note that brings the JSON to about `bytes`. */
const variablesOf = (bytes: number) => ({ ...declared, note: 'x'.repeat(bytes) });

async function refusal(call: Promise<unknown>) {
  const started = performance.now();
  try {
    await call;
  } catch (err) {
    return { error: fromConnectError(err), ms: performance.now() - started };
  }
  throw new Error('expected a refusal');
}

describe('payload limits of the ProcessService', () => {
  it('refuses start variables over 2 MB at once, naming the size and the limit, and starts nothing', async () => {
    const { error, ms } = await refusal(
      processes.startProcess({
        definition: { case: 'definitionName', value: 'order-to-cash' },
        variables: variablesOf(2_300_000),
        businessKey: 'too-big',
      }),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toBe('variables is 2.3 MB as JSON; the limit is 2 MB');
    expect(error.fieldViolations.map((v) => v.field)).toEqual(['variables']);
    expect(ms).toBeLessThan(5_000);
    const listed = await processes.listProcessInstances({ businessKey: 'too-big' });
    expect(listed.instances).toEqual([]);
  });

  it('refuses task data and message payloads over the limit before Temporal sees them', async () => {
    const big = { blob: 'y'.repeat(MAX_PAYLOAD_BYTES) };
    const task = await refusal(
      processes.completeUserTask({ instanceId: 'any', taskId: 'any', data: big }),
    );
    expect(task.error.code).toBe('invalid_argument');
    expect(task.error.message).toMatch(/^data is 2\.0 MB as JSON; the limit is 2 MB$/);
    const message = await refusal(
      processes.correlateMessage({ messageName: 'm', correlationKey: 'k', payload: big }),
    );
    expect(message.error.message).toMatch(/^payload is 2\.0 MB as JSON; the limit is 2 MB$/);
  });

  it('starts an instance whose variables are just under the limit', async () => {
    const started = await processes.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      variables: variablesOf(MAX_PAYLOAD_BYTES - 1_000),
    });
    expect(started.instanceId).not.toBe('');
  });
});
