// Process runtime on a Temporal dev server (SQLite), one worker, one task queue:
// (a) the interpreter vs a hand-written workflow calling the same 10 no-op activities,
//     100 instances each, alternating rounds, same worker — wall-time ratio (goal ≤ 1.15);
// (b) starts/s and completions/s of 1,000 instances of a 1-task process, against a
//     hand-written one-activity workflow (anchor: the SDK's published ~50–86 workflows/s
//     for 1,000 one-activity workflows on the dev server);
// (c) a parallel multi-instance service task over 1,000 elements (bound 1,000) against a
//     hand-written workflow starting the same 1,000 activities at once: wall time (median of
//     3, alternating) and history size per element.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { compileProcessDefinition, importBpmn } from '@ameide/process-definition';
import { salesServiceRegistry } from '@ameide/process-definition/testing';
import {
  bundleProcessWorkflows,
  createProcessWorker,
  processSearchAttributes,
  WORKFLOWS_PATH,
  type ProcessActivities,
  type ProcessInput,
} from '@ameide/process-runtime';
import { startTemporalServer } from '@ameide/testing';
import { report } from './lib/measure.js';

const RPC = 'ameide.sales.v1.OrderService/GetOrder';
const actor = { tenantId: 'bench', orgId: 'bench', userId: 'bench' };

/** A process of `n` service tasks in a row, compiled like publishing does. */
async function chainPlan(n: number): Promise<{ json: string; hash: string }> {
  const tasks = Array.from(
    { length: n },
    (_, i) => `
    <bpmn:serviceTask id="T${i}"><bpmn:extensionElements>
      <ameide:serviceBinding service="ameide.sales.v1.OrderService" method="GetOrder">
        <ameide:input>{ orderId: "o-${i}" }</ameide:input>
      </ameide:serviceBinding></bpmn:extensionElements>
      <bpmn:incoming>F${i}</bpmn:incoming><bpmn:outgoing>F${i + 1}</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="F${i + 1}" sourceRef="T${i}" targetRef="${i + 1 < n ? `T${i + 1}` : 'End'}" />`,
  ).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:ameide="https://ameide.io/schema/bpmn/1.0" id="D" targetNamespace="https://ameide.io/bench">
  <bpmn:process id="chain-${n}" name="chain-${n}" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>F0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="T0" />${tasks}
    <bpmn:endEvent id="End"><bpmn:incoming>F${n}</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
  const imported = await importBpmn(xml);
  if (!imported.ok) throw new Error(JSON.stringify(imported.diagnostics));
  return compiledPlan(imported.definition);
}

function compiledPlan(definition: unknown): { json: string; hash: string } {
  const compiled = compileProcessDefinition(definition, { services: salesServiceRegistry });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
  return { json: compiled.json, hash: compiled.hash };
}

/** One service task, parallel multi-instance over `items`, every instance at once. */
function loopPlan(): { json: string; hash: string } {
  const at = { position: { x: 0, y: 0 } };
  return compiledPlan({
    schemaVersion: 1,
    id: 'loop-1000',
    nodes: [
      { id: 'Start', type: 'startEvent', ...at, data: {} },
      {
        id: 'T',
        type: 'serviceTask',
        ...at,
        data: {
          binding: {
            service: 'ameide.sales.v1.OrderService',
            method: 'GetOrder',
            input: '{ orderId: "o-" + string(item) }',
          },
          multiInstance: { inputCollection: 'items', inputElement: 'item', maxConcurrency: 1000 },
        },
      },
      { id: 'End', type: 'endEvent', ...at, data: {} },
    ],
    edges: [
      { id: 'F0', source: 'Start', target: 'T' },
      { id: 'F1', source: 'T', target: 'End' },
    ],
  });
}

/**
 * One bundle with the interpreter and the baseline, so one worker runs both. The baseline calls
 * the interpreter's `callService` activity with the same retry policy a plan's default gives.
 */
async function benchBundlePath(): Promise<string> {
  const dir = fileURLToPath(new URL('../node_modules/.cache/ameide-bench/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}process-runtime-workflows.ts`;
  await writeFile(
    file,
    `export { processInstance } from ${JSON.stringify(WORKFLOWS_PATH.replace(/\.ts$/, '.js'))};
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
const { callService } = proxyActivities({
  startToCloseTimeout: 30_000,
  retry: { maximumAttempts: 3, initialInterval: 1000, backoffCoefficient: 2 },
});
export async function handWrittenParallel(n, actor) {
  await Promise.all(Array.from({ length: n }, (_, i) =>
    callService({ rpc: ${JSON.stringify(RPC)}, request: { orderId: 'o-' + i }, actor, idempotencyKey: workflowInfo().workflowId + '/' + i })));
}
export async function handWritten(n, actor) {
  for (let i = 0; i < n; i++) {
    await callService({ rpc: ${JSON.stringify(RPC)}, request: { orderId: 'o-' + i }, actor, idempotencyKey: workflowInfo().workflowId + '/' + i });
  }
}
`,
  );
  return file;
}

async function timeBatch(
  count: number,
  startOne: (i: number) => Promise<{ result(): Promise<unknown> }>,
  startConcurrency = 50,
): Promise<{ startsMs: number; totalMs: number }> {
  const t0 = performance.now();
  const handles: Array<{ result(): Promise<unknown> }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: startConcurrency }, async () => {
      while (next < count) handles.push(await startOne(next++));
    }),
  );
  const startsMs = performance.now() - t0;
  await Promise.all(handles.map((h) => h.result()));
  return { startsMs, totalMs: performance.now() - t0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchProcessRuntime(): Promise<void> {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already.
  }
  const server = await startTemporalServer();
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection });
  const taskQueue = `bench-${randomUUID()}`;
  const ten = await chainPlan(10);
  const one = await chainPlan(1);
  const loop = loopPlan();
  const plans = new Map([
    [ten.hash, ten.json],
    [one.hash, one.json],
    [loop.hash, loop.json],
  ]);
  const activities: ProcessActivities = {
    loadPlan: (ref) => Promise.resolve(plans.get(ref.planHash)!),
    callService: () => Promise.resolve({}),
    resolveDefinition: () => Promise.reject(new Error('no call activities here')),
    loadDecision: () => Promise.reject(new Error('no business rule tasks here')),
    invokeAgent: () => Promise.reject(new Error('no agents here')),
    broadcastSignal: () => Promise.reject(new Error('no signals here')),
    // Lifecycle events are two activities per instance; here they write nothing.
    recordInstanceEvent: () => Promise.resolve(),
  };
  const worker = await createProcessWorker({
    connection,
    taskQueue,
    activities: { implementation: activities },
    workflowBundle: await bundleProcessWorkflows(await benchBundlePath()),
  });
  const running = worker.run();
  try {
    const interpreter =
      (plan: { hash: string }, name: string, variables: Record<string, unknown> = {}) =>
      (i: number) => {
        const input: ProcessInput = {
          actor,
          definition: { definitionId: name, name, version: 1, planHash: plan.hash },
          variables,
          businessKey: '',
        };
        return client.workflow.start('processInstance', {
          taskQueue,
          workflowId: `bench:${name}-${randomUUID()}-${i}`,
          args: [input],
          typedSearchAttributes: [
            { key: processSearchAttributes.tenant, value: actor.tenantId },
            { key: processSearchAttributes.definition, value: name },
            { key: processSearchAttributes.version, value: 1 },
            { key: processSearchAttributes.status, value: 'RUNNING' },
            { key: processSearchAttributes.businessKey, value: '' },
          ],
        });
      };
    const handWritten = (n: number) => (i: number) =>
      client.workflow.start('handWritten', {
        taskQueue,
        workflowId: `bench:hand-${n}-${randomUUID()}-${i}`,
        args: [n, actor],
      });

    // (a) 10 no-op activities, 100 instances per batch, alternating, median of 3 rounds.
    await timeBatch(20, handWritten(10));
    await timeBatch(20, interpreter(ten, 'chain-10'));
    const base: number[] = [];
    const interp: number[] = [];
    for (let round = 0; round < 3; round++) {
      base.push((await timeBatch(100, handWritten(10))).totalMs);
      interp.push((await timeBatch(100, interpreter(ten, 'chain-10'))).totalMs);
    }
    const b = median(base);
    const c = median(interp);
    report(
      'process-runtime 10 activities x 100 instances, interpreter',
      c / 1000,
      's',
      c / b,
      'hand-written workflow',
    );
    report(
      'process-runtime 10 activities x 100 instances, hand-written',
      b / 1000,
      's',
      1,
      'hand-written workflow',
    );

    // (b) 1,000 instances of a 1-task process vs 1,000 one-activity hand-written workflows.
    const hb = await timeBatch(1000, handWritten(1));
    const ib = await timeBatch(1000, interpreter(one, 'chain-1'));
    const rate = (ms: number) => (1000 / ms) * 1000;
    report(
      'process-runtime 1-task process starts',
      rate(ib.startsMs),
      'starts/s',
      rate(ib.startsMs) / rate(hb.startsMs),
      'hand-written one-activity workflow',
    );
    report(
      'process-runtime 1-task process completions',
      rate(ib.totalMs),
      'instances/s',
      rate(ib.totalMs) / rate(hb.totalMs),
      'hand-written one-activity workflow',
    );
    report(
      'process-runtime hand-written one-activity completions',
      rate(hb.totalMs),
      'workflows/s',
      1,
      'hand-written one-activity workflow',
    );

    // (c) multi-instance over 1,000 elements vs 1,000 activities started by hand at once.
    const N = 1000;
    const items = Array.from({ length: N }, (_, i) => i);
    const loopStart = interpreter(loop, 'loop-1000', { items });
    const handParallel = (i: number) =>
      client.workflow.start('handWrittenParallel', {
        taskQueue,
        workflowId: `bench:hand-par-${randomUUID()}-${i}`,
        args: [N, actor],
      });
    const timeOne = async (
      start: (i: number) => Promise<{ workflowId: string; result(): Promise<unknown> }>,
    ) => {
      const t0 = performance.now();
      const h = await start(0);
      await h.result();
      const ms = performance.now() - t0;
      const history = await client.workflow.getHandle(h.workflowId).fetchHistory();
      const bytes = Buffer.byteLength(JSON.stringify(history));
      return { ms, events: history.events?.length ?? 0, bytes };
    };
    await timeOne(handParallel);
    await timeOne(loopStart);
    const hand: Array<Awaited<ReturnType<typeof timeOne>>> = [];
    const mi: Array<Awaited<ReturnType<typeof timeOne>>> = [];
    for (let round = 0; round < 3; round++) {
      hand.push(await timeOne(handParallel));
      mi.push(await timeOne(loopStart));
    }
    const hm = median(hand.map((x) => x.ms));
    const mm = median(mi.map((x) => x.ms));
    report(
      'process-runtime parallel multi-instance, 1,000 elements',
      mm / 1000,
      's',
      mm / hm,
      'hand-written workflow starting 1,000 activities',
    );
    report(
      'process-runtime hand-written 1,000 parallel activities',
      hm / 1000,
      's',
      1,
      'hand-written workflow starting 1,000 activities',
    );
    const perElement = (x: { events: number; bytes: number }) => x.events / N;
    report(
      'process-runtime multi-instance history events per element',
      perElement(mi[0]!),
      'events',
      mi[0]!.events / hand[0]!.events,
      'hand-written workflow starting 1,000 activities',
    );
    report(
      'process-runtime multi-instance history bytes per element',
      mi[0]!.bytes / N,
      'bytes',
      mi[0]!.bytes / hand[0]!.bytes,
      'hand-written workflow starting 1,000 activities',
    );
  } finally {
    await worker.shutdown();
    await running;
    await connection.close();
    await clientConnection.close();
    await server.stop();
  }
}
