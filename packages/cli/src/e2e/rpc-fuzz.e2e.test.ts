import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromJson, ScalarType, toBinary, type DescMethod } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importBpmn } from '@ameide/process-definition';
import { ameideServices } from '@ameide/proto';
import { createAmeideClient } from '@ameide/sdk';
import { examplesDir } from '../dev/seed-demo.js';
import { callServerStream, callUnary, type CallOutcome } from './rpc-fuzz/connect-call.js';
import { startFuzzPlatform, type FuzzPlatform } from './rpc-fuzz/fuzz-platform.js';
import { brokenInvariants, writtenCounts } from './rpc-fuzz/invariants.js';
import { IdPools } from './rpc-fuzz/id-pools.js';
import type { Json } from './rpc-fuzz/json.js';
import {
  requestJson,
  requestWithOneBadField,
  type KnownValues,
} from './rpc-fuzz/request-arbitrary.js';

// Every RPC of every service, with arbitrary input: valid-shaped requests with
// hostile values, wrong types, JSON that is not a request, protobuf binary
// that is cut, flipped or carries strings that are not UTF-8, and random
// bytes. No answer may be internal or unknown, the platform stays ready, and
// nothing is half-written. AMEIDE_FUZZ_SEED=<n> replays a run's requests
// (ids the platform makes differ between runs); AMEIDE_FUZZ_RUNS sets the
// number of requests per method; AMEIDE_FUZZ_TRACE and AMEIDE_FUZZ_LOG write
// every call and the host's log to files.

const seed = Number(process.env['AMEIDE_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS_PER_METHOD = Number(process.env['AMEIDE_FUZZ_RUNS'] ?? 60);
const CONCURRENCY = 4;
const BAD_CODES = new Set(['internal', 'unknown', 'data_loss']);
/** AMEIDE_FUZZ_TRACE=<file>: one JSON line per call (rpc, mode, code, message, request). */
const trace = process.env['AMEIDE_FUZZ_TRACE'];

type Mode = 'valid' | 'one-bad' | 'wild' | 'raw-json' | 'binary' | 'garbage';

interface PlannedCall {
  readonly method: DescMethod;
  readonly mode: Mode;
  readonly tenant: 'demo' | 'acme';
  /** The request as JSON (pool references unresolved), or the raw body. */
  readonly request: { readonly json: { [key: string]: Json } } | { readonly raw: Uint8Array };
  /** How binary requests are spoiled. */
  readonly mutation: 'none' | 'truncate' | 'invalid-utf8' | 'flip';
  readonly at: number;
  readonly byte: number;
}

interface Finding extends CallOutcome {
  readonly rpc: string;
  readonly mode: Mode;
  readonly request: string;
}

let fuzz: FuzzPlatform;
let known: KnownValues;
const pools = new IdPools();
const tokens: Record<string, string> = {};

beforeAll(async () => {
  fuzz = await startFuzzPlatform(inject('temporalAddress'));
  for (const [tenant, user] of [
    ['demo', 'alice'],
    ['acme', 'bob'],
  ] as const)
    tokens[tenant] = await fuzz.identity.signToken({
      tenantId: tenant,
      userId: user,
      groups: ['sales'],
    });
  known = await seedTargets(fuzz);
}, 180_000);
afterAll(async () => {
  await fuzz?.close();
});

/** Orders in several states, artifacts of several kinds, running instances with tasks. */
async function seedTargets(p: FuzzPlatform): Promise<KnownValues> {
  const ctx = { tenantId: 'demo', correlationId: 'rpc-fuzz-seed' };
  const orderIds: string[] = [];
  const lineIds: string[] = [];
  for (const customerId of p.customerIds) {
    for (const step of ['draft', 'confirmed', 'paid'] as const) {
      const order = await p.sales.createOrder(ctx, { customerId, currency: 'EUR' });
      const id = order.value.orderId;
      orderIds.push(id);
      const withLine = await p.sales.addLine(ctx, id, {
        sku: `SKU-${step}`,
        quantity: 2,
        unitPrice: { currency: 'EUR', amountMinor: 1_000n },
      });
      lineIds.push(...withLine.value.lines.map((l) => l.lineId));
      if (step === 'draft') continue;
      await p.sales.confirm(ctx, id);
      if (step === 'paid')
        await p.sales.recordPayment(ctx, id, { currency: 'EUR', amountMinor: 2_000n }, `PAY-${id}`);
    }
  }
  const bpmn = await readFile(join(examplesDir, 'order-to-cash.bpmn'), 'utf8');
  const imported = await importBpmn(bpmn);
  const definitionJson = JSON.stringify(imported.ok ? imported.definition : {});
  const markdown = '# Notes\n\n\tindented\r\nline two\n';
  const actor = { tenantId: 'demo', userId: 'alice' };
  await p.platform.store.create(actor, {
    kind: 'document',
    name: 'fuzz notes',
    contentType: 'text/markdown',
    content: new TextEncoder().encode(markdown),
  });
  const listed = await p.platform.store.list(actor, { pageSize: 100 });
  const artifactIds = listed.artifacts.map((a) => a.id);

  const client = createAmeideClient({ baseUrl: p.platform.url, token: tokens['demo']! });
  const orderVariables = {
    customerId: p.customerIds[0]!,
    currency: 'EUR',
    sku: 'SKU-FUZZ',
    quantity: 1,
    unitPriceMinor: 100,
    paymentReference: 'PAY-FUZZ',
  };
  const instanceIds: string[] = [];
  for (let i = 0; i < 2; i++) {
    const started = await client.process.startProcess({
      definition: { case: 'definitionName', value: 'order-to-cash' },
      businessKey: `fuzz-${i}`,
      variables: orderVariables,
    });
    instanceIds.push(started.instanceId);
  }
  let taskIds: string[] = [];
  for (let i = 0; i < 40 && taskIds.length === 0; i++) {
    taskIds = (await client.process.listUserTasks({})).tasks.map((t) => t.taskId);
    if (taskIds.length === 0) await new Promise((r) => setTimeout(r, 250));
  }
  const ids: Record<string, readonly string[]> = {
    customer_id: p.customerIds,
    order_id: orderIds,
    line_id: lineIds,
    artifact_id: artifactIds,
    definition_id: listed.artifacts.filter((a) => a.kind === 'process_definition').map((a) => a.id),
    instance_id: instanceIds,
    task_id: taskIds,
  };
  for (const [field, values] of Object.entries(ids)) for (const id of values) pools.add(field, id);
  return {
    idFields: Object.keys(ids),
    definitions: p.definitions,
    contents: [definitionJson, bpmn, markdown, '{"not": "a definition"}'],
    documents: [JSON.parse(definitionJson) as Json],
    orderVariables,
  };
}

/** Appends a string field with bytes that are not UTF-8 (the last occurrence of a field wins). */
function withInvalidUtf8(method: DescMethod, bytes: Uint8Array, which: number): Uint8Array {
  const strings = method.input.fields.filter(
    (f) => f.fieldKind === 'scalar' && f.scalar === ScalarType.STRING,
  );
  const field = strings[which % Math.max(strings.length, 1)];
  if (!field) return bytes;
  const extra = new BinaryWriter()
    .tag(field.number, WireType.LengthDelimited)
    .bytes(new Uint8Array([0x41, 0xff, 0xc3, 0x28]))
    .finish();
  return Buffer.concat([bytes, extra]);
}

function planFor(method: DescMethod, index: number): PlannedCall[] {
  const schema = method.input;
  const weighted = <T>(pairs: readonly (readonly [T, number])[]) =>
    fc.oneof(...pairs.map(([v, weight]) => ({ weight, arbitrary: fc.constant(v) })));
  const call = fc.record({
    mode: weighted<Mode>([
      ['valid', 4],
      ['one-bad', 6],
      ['wild', 3],
      ['raw-json', 1],
      ['binary', 3],
      ['garbage', 1],
    ]),
    tenant: weighted<'demo' | 'acme'>([
      ['demo', 9],
      ['acme', 1],
    ]),
    valid: requestJson(schema, known, 'plausible'),
    oneBad: requestWithOneBadField(schema, known),
    wild: requestJson(schema, known, 'wild'),
    raw: fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '{}{}', '\u0000', '{"x":"\\ud800"}'),
    ),
    mutation: weighted<PlannedCall['mutation']>([
      ['none', 4],
      ['invalid-utf8', 3],
      ['truncate', 2],
      ['flip', 2],
    ]),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
    garbage: fc.uint8Array({ maxLength: 64 }),
  });
  return fc.sample(call, { seed: seed + index, numRuns: RUNS_PER_METHOD }).map((c) => {
    const request =
      c.mode === 'raw-json'
        ? { raw: Buffer.from(c.raw) }
        : c.mode === 'garbage'
          ? { raw: c.garbage }
          : { json: c.mode === 'valid' ? c.valid : c.mode === 'wild' ? c.wild : c.oneBad };
    return {
      method,
      mode: c.mode,
      tenant: c.tenant,
      request,
      mutation: c.mutation,
      at: c.at,
      byte: c.byte,
    };
  });
}

/** A request for the report: long strings shortened, escapes kept. */
function show(json: Json): string {
  const text = JSON.stringify(json, (_key, v: unknown) =>
    typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} characters)` : v,
  );
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** The bytes to send, with pool references resolved now, and what to show of them. */
function bodyOf(call: PlannedCall): { format: 'json' | 'proto'; body: Uint8Array; shown: string } {
  if ('raw' in call.request) {
    const proto = call.mode === 'garbage';
    const shown = Buffer.from(call.request.raw).toString(proto ? 'hex' : 'utf8');
    return { format: proto ? 'proto' : 'json', body: call.request.raw, shown: shown.slice(0, 300) };
  }
  const json = pools.resolve(call.request.json);
  if (call.mode !== 'binary') {
    return { format: 'json', body: Buffer.from(JSON.stringify(json)), shown: show(json) };
  }
  const schema = call.method.input;
  let bytes: Uint8Array;
  try {
    bytes = toBinary(schema, fromJson(schema, json as never, { ignoreUnknownFields: true }));
  } catch {
    bytes = new Uint8Array();
  }
  if (call.mutation === 'truncate' && bytes.byteLength > 0)
    bytes = bytes.subarray(0, call.at % bytes.byteLength);
  if (call.mutation === 'invalid-utf8') bytes = withInvalidUtf8(call.method, bytes, call.at);
  if (call.mutation === 'flip' && bytes.byteLength > 0) {
    bytes = Uint8Array.from(bytes);
    bytes[call.at % bytes.byteLength] = call.byte;
  }
  const shown = `${call.mutation} of ${show(json)}: ${Buffer.from(bytes.subarray(0, 100)).toString('hex')}`;
  return { format: 'proto', body: bytes, shown };
}

async function send(call: PlannedCall): Promise<CallOutcome & { shown: string }> {
  const { format, body, shown } = bodyOf(call);
  const options = {
    baseUrl: fuzz.platform.url,
    path: `/${call.method.parent.typeName}/${call.method.name}`,
    token: tokens[call.tenant]!,
    format,
    body,
  };
  const outcome =
    call.method.methodKind === 'server_streaming'
      ? await callServerStream({ ...options, deadlineMs: 300, clientTimeoutMs: 10_000 })
      : await callUnary({ ...options, clientTimeoutMs: 20_000 });
  if (outcome.response !== undefined) pools.collect(outcome.response);
  return { ...outcome, shown };
}

/**
 * internal / unknown / data_loss (HTTP 500), no answer in time, or no valid
 * Connect answer. `unavailable` (503) is an honest answer when no worker runs
 * an instance, not a failure of input handling.
 */
function isBad(o: CallOutcome): boolean {
  return (
    o.status === 500 ||
    BAD_CODES.has(o.code) ||
    ['client_timeout', 'transport_error', 'no_end_stream'].includes(o.code) ||
    o.code.startsWith('http_')
  );
}

async function runAll(
  calls: readonly PlannedCall[],
): Promise<{ findings: Finding[]; codes: Record<string, number> }> {
  const findings: Finding[] = [];
  const codes: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls.length) {
        const call = calls[next++]!;
        const { shown, response: _response, ...outcome } = await send(call);
        codes[outcome.code] = (codes[outcome.code] ?? 0) + 1;
        if (trace) {
          const rpc = `${call.method.parent.name}/${call.method.name}`;
          appendFileSync(
            trace,
            `${JSON.stringify({ rpc, mode: call.mode, ...outcome, request: shown })}\n`,
          );
        }
        if (isBad(outcome))
          findings.push({
            ...outcome,
            rpc: `${call.method.parent.name}/${call.method.name}`,
            mode: call.mode,
            request: shown,
          });
      }
    }),
  );
  return { findings, codes };
}

function report(findings: readonly Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = `${f.rpc} ${f.code} ${f.message.slice(0, 120)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()]
    .map(([key, fs]) => `${key} (${fs.length}×, ${fs[0]!.mode}): ${fs[0]!.request}`)
    .join('\n');
}

describe('every RPC under arbitrary input', () => {
  it('never answers internal or unknown, stays ready, and leaves no half-written data', async () => {
    const started = performance.now();
    const methods = ameideServices().flatMap((s) => s.methods);
    const calls = methods.flatMap((m, i) => planFor(m, i));
    const { findings, codes } = await runAll(calls);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(
      `rpc fuzz: seed ${seed}, ${calls.length} calls over ${methods.length} methods in ${seconds} s; codes ${JSON.stringify(codes)}; wrote ${JSON.stringify(await writtenCounts(fuzz.platform.db))}`,
    );
    const replay = `seed ${seed} (AMEIDE_FUZZ_SEED=${seed} replays it)`;
    // All three are reported, whichever fails.
    expect.soft(findings.length, `bad answers, ${replay}:\n${report(findings)}\n`).toBe(0);
    const ready = await fetch(`${fuzz.platform.url}/readyz`);
    expect.soft(ready.status, `readyz after the run, ${replay}`).toBe(200);
    const client = createAmeideClient({ baseUrl: fuzz.platform.url, token: tokens['demo']! });
    expect.soft((await client.platform.whoAmI({})).context?.tenantId).toBe('demo');
    expect
      .soft(await brokenInvariants(fuzz.platform.db), `broken invariants, ${replay}`)
      .toEqual([]);
  }, 300_000);
});
