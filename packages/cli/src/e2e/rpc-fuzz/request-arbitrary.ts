import { ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { hostileStrings } from './hostile-strings.js';
import { POOL_REF } from './id-pools.js';
import type { Json } from './json.js';
import { mutated } from './mutate-document.js';

/** Values the platform knows, so generated requests reach past "not found". */
export interface KnownValues {
  /** Proto field names (`order_id`, `customer_id`, ...) that have a pool of live ids. */
  readonly idFields: readonly string[];
  /** Published process definition names. */
  readonly definitions: readonly string[];
  /** Artifact contents that are valid (process definition JSON, BPMN XML, Markdown). */
  readonly contents: readonly string[];
  /** Valid JSON documents (process definitions) to mutate into nearly valid ones. */
  readonly documents: readonly Json[];
  /** Start variables of the order-to-cash definition for a known customer. */
  readonly orderVariables: { readonly [key: string]: Json };
}

const MAX_DEPTH = 4;

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  maxLength: 4,
});
const controls = fc.string({
  unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 4,
});
const huge = fc
  .tuple(
    fc.integer({ min: 1_025, max: 70_000 }),
    fc.constantFrom('a', '\u0000', '"', '\\', 'é', '😀'),
  )
  .map(([n, c]) => c.repeat(n));

function anyString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 6, arbitrary: fc.constantFrom(...hostileStrings) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.string({ maxLength: 8 }),
          fc.oneof(controls, loneSurrogates),
          fc.string({ maxLength: 8 }),
        )
        .map((p) => p.join('')),
    },
    { weight: 1, arbitrary: huge },
  );
}

/** Values at the edge of what a field of this name takes (limits the code documents). */
const stringEdges: Readonly<Record<string, readonly string[]>> = {
  after_position: [
    '18446744073709551615:9223372036854775807',
    '18446744073709551616:0',
    '0:9223372036854775808',
    '99999999999999999999:99999999999999999999',
  ],
  business_key: ['k'.repeat(500), 'k'.repeat(501), 'k'.repeat(2049), '😀'.repeat(500)],
  instance_id: ['i'.repeat(256), 'i'.repeat(257), '😀'.repeat(128)],
  name: ['n'.repeat(200), 'n'.repeat(201), ' padded ', 'n'.repeat(1024), 'n'.repeat(1025)],
  reason: ['r'.repeat(500), 'r'.repeat(501), 'line\nbreak\ttab'],
  page_token: ['AAAA', 'MTAwMDAwMDAwMDAwMDAwMDAwMDA', '_-_-', '%%%'],
};

function poolRef(field: string): fc.Arbitrary<string> {
  return fc.nat().map((n) => `${POOL_REF}${field}#${n}`);
}

/** Strings the handlers accept for a field of this name (empty when there is no rule of thumb). */
function plausibleStrings(field: DescField, known: KnownValues): fc.Arbitrary<string>[] {
  const name = field.name;
  const text = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 24 });
  const plausible: fc.Arbitrary<string>[] = [];
  if (known.idFields.includes(name)) plausible.push(poolRef(name), poolRef(name), poolRef(name));
  if (name.endsWith('_id')) plausible.push(fc.uuid());
  if (name === 'currency') plausible.push(fc.constantFrom('EUR', 'EUR', 'EUR', 'USD'));
  if (name === 'email') plausible.push(fc.emailAddress());
  if (name === 'definition_name' && known.definitions.length > 0)
    plausible.push(fc.constantFrom(...known.definitions));
  if (name === 'domain') plausible.push(fc.constant('sales'));
  if (name === 'type')
    plausible.push(fc.constantFrom('', 'sales.order.*', 'sales.customer.created.v1'));
  if (name === 'after_position') plausible.push(fc.constantFrom('', '0:0', '1:1'));
  if (name === 'content_type')
    plausible.push(fc.constantFrom('application/json', 'text/markdown', 'application/bpmn+xml'));
  if (name === 'message_name') plausible.push(fc.constantFrom('PaymentReceived', 'OrderShipped'));
  if (name === 'signal_name') plausible.push(fc.constantFrom('ProductRecall', 'CarrierAvailable'));
  if (name === 'page_token') plausible.push(fc.constant(''));
  if (plausible.length === 0) plausible.push(text);
  return plausible;
}

function stringFor(field: DescField, known: KnownValues, style: Style): fc.Arbitrary<string> {
  const plausible = fc.oneof(...plausibleStrings(field, known));
  if (style === 'plausible') return plausible;
  if (style === 'hostile') {
    // A value the handler would take, spoiled at one place.
    const bad = fc.oneof(
      { weight: 3, arbitrary: fc.constant('\u0000') },
      {
        weight: 3,
        arbitrary: fc.constantFrom('\u0001', '\u001b', '\u007f', '\n', '\t', '\ud800', '\udfff'),
      },
      { weight: 1, arbitrary: controls },
      { weight: 1, arbitrary: loneSurrogates },
    );
    // Spoiling a pool reference would only make a miss; spoil real-looking values.
    const base = fc.oneof(...plausibleStrings(field, { ...known, idFields: [] }));
    const spoiled = fc
      .tuple(base, fc.nat(), bad)
      .map(([p, at, b]) => p.slice(0, at % (p.length + 1)) + b + p.slice(at % (p.length + 1)));
    const edges = stringEdges[field.name];
    return fc.oneof(
      { weight: 4, arbitrary: spoiled },
      { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
      { weight: edges ? 3 : 0, arbitrary: fc.constantFrom(...(edges ?? [''])) },
      { weight: 1, arbitrary: huge },
    );
  }
  return fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 2, arbitrary: anyString() });
}

/**
 * `plausible`: values of the right type that handlers mostly accept, so calls
 * reach the stores and Temporal; `hostile`: a value meant to break the field
 * (control characters or lone surrogates in a plausible value, injections, edge
 * and out-of-range numbers, undeclared enum numbers); `wild`: anything,
 * including wrong types.
 */
export type Style = 'plausible' | 'hostile' | 'wild';

function int32(field: DescField, style: Style): fc.Arbitrary<Json> {
  if (style === 'plausible') return fc.integer({ min: field.name === 'version' ? 0 : 1, max: 5 });
  const small = fc.integer({ min: -3, max: field.name === 'quantity' ? 20 : 10 });
  return fc.oneof(
    { weight: style === 'hostile' ? 0 : 6, arbitrary: small },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        0,
        200,
        201,
        500,
        1_000_000,
        1_000_001,
        2_147_483_647,
        -2_147_483_648,
      ),
    },
    // Wrong for int32: out of range, fractions, strings, other types.
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>(2_147_483_648, 1.5, '12', 'x', 1e300, true, [], {}),
    },
  );
}

function int64(field: DescField, style: Style): fc.Arbitrary<Json> {
  const amount = field.name === 'amount_minor';
  if (style === 'plausible')
    return fc.bigInt({ min: amount ? 1n : 0n, max: amount ? 5_000n : 4n }).map(String);
  return fc.oneof(
    {
      weight: style === 'hostile' ? 0 : 5,
      arbitrary: fc.bigInt({ min: -2n, max: amount ? 100_000n : 12n }).map(String),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Json>(
        '9223372036854775807',
        '-9223372036854775808',
        '1000000000000000',
        '1000000000000001',
        4_611_686_018_427_387_904,
        0,
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Json>('9223372036854775808', '1e3', 1.5, 'abc', null, false),
    },
  );
}

function scalar(
  field: DescField,
  type: ScalarType,
  known: KnownValues,
  style: Style,
): fc.Arbitrary<Json> {
  if (type === ScalarType.BYTES && known.documents.length > 0 && style !== 'wild')
    return fc.oneof(
      fc.constantFrom(...known.contents).map((c) => b64(c)),
      fc
        .constantFrom(...known.documents)
        .chain((d) => mutated(d))
        .map((d) => b64(JSON.stringify(d))),
      fc
        .tuple(fc.constantFrom(...known.contents), fc.nat(), fc.constantFrom(...hostileStrings))
        .map(([c, at, bad]) =>
          b64(c.slice(0, at % (c.length + 1)) + bad + c.slice(at % (c.length + 1))),
        ),
    );
  if (style === 'plausible') {
    if (type === ScalarType.STRING) return stringFor(field, known, style);
    if (type === ScalarType.BOOL) return fc.boolean();
  }
  if (style === 'hostile') {
    if (type === ScalarType.STRING) return stringFor(field, known, style);
    if (type === ScalarType.BOOL) return fc.constantFrom<Json>('yes', 1, null);
    if (type === ScalarType.DOUBLE || type === ScalarType.FLOAT)
      return fc.constantFrom<Json>('NaN', 'Infinity', '-Infinity', 1e308);
  }
  switch (type) {
    case ScalarType.STRING:
      return fc.oneof(
        { weight: 20, arbitrary: stringFor(field, known, style) },
        { weight: 1, arbitrary: fc.constantFrom<Json>(1, true, null, ['x'], { a: 1 }) },
      );
    case ScalarType.BYTES:
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...known.contents).map((c) => b64(c)) },
        {
          weight: 3,
          arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
        },
        { weight: 2, arbitrary: anyString().map((s) => b64(s)) },
        { weight: 1, arbitrary: fc.constantFrom<Json>('%%%', '====', 7, '-_-_') },
      );
    case ScalarType.BOOL:
      return fc.oneof(
        { weight: 8, arbitrary: fc.boolean() },
        { weight: 1, arbitrary: fc.constantFrom<Json>('yes', 1) },
      );
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom<Json>('NaN', 'Infinity', '1e999'),
      );
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return int64(field, style);
    default:
      return int32(field, style);
  }
}

function enumValue(desc: DescEnum, style: Style): fc.Arbitrary<Json> {
  if (style === 'plausible') return fc.constantFrom(...desc.values.map((v) => v.name));
  if (style === 'hostile')
    return fc.constantFrom<Json>(99, -1, 2_147_483_647, desc.values.length, 'NOT_A_VALUE');
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...desc.values.map((v) => v.name)) },
    { weight: 2, arbitrary: fc.constantFrom(...desc.values.map((v) => v.number)) },
    // Numbers and names the enum does not declare.
    { weight: 2, arbitrary: fc.constantFrom<Json>(99, -1, 2_147_483_647, 'NOT_A_VALUE', 1.5) },
  );
}

/** Arbitrary JSON (for Struct fields): hostile strings, nesting, numbers at the edges. */
function jsonObject(depth: number): fc.Arbitrary<{ [key: string]: Json }> {
  const leaf: fc.Arbitrary<Json> = fc.oneof(
    anyString(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const value: fc.Arbitrary<Json> =
    depth >= MAX_DEPTH
      ? leaf
      : fc.oneof(
          { weight: 4, arbitrary: leaf },
          { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
          { weight: 1, arbitrary: jsonObject(depth + 1) },
        );
  return fc.dictionary(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...hostileStrings)),
    value,
    {
      maxKeys: 4,
    },
  );
}

function deepJson(levels: number): { [key: string]: Json } {
  let v: { [key: string]: Json } = { leaf: true };
  for (let i = 0; i < levels; i++) v = { d: v };
  return v;
}

function structValue(
  field: DescField,
  known: KnownValues,
  depth: number,
  style: Style,
): fc.Arbitrary<Json> {
  const variables = field.name === 'variables';
  if (style === 'plausible')
    return variables
      ? fc.constant(known.orderVariables)
      : fc.dictionary(
          fc.constantFrom('approved', 'comment', 'amount'),
          fc.oneof(fc.boolean(), fc.string()),
          {
            maxKeys: 2,
          },
        );
  return fc.oneof(
    { weight: 4, arbitrary: jsonObject(depth) },
    // Valid order-to-cash start variables, sometimes with one value replaced.
    {
      weight: variables ? 4 : 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...Object.keys(known.orderVariables)),
          jsonObject(MAX_DEPTH),
          fc.boolean(),
        )
        .map(([key, other, replace]) => {
          const v = { ...known.orderVariables };
          if (replace) v[key] = Object.values(other)[0] ?? null;
          return v;
        }),
    },
    { weight: 1, arbitrary: fc.constantFrom<Json>(deepJson(80), [1, 2], 'not an object', 5) },
    // Over the 2 MB payload limit, and just under it.
    {
      weight: style === 'hostile' ? 3 : 1,
      arbitrary: fc.constantFrom<Json>(
        { blob: 'x'.repeat(2_100_000) },
        { ...known.orderVariables, blob: 'é'.repeat(999_000) },
      ),
    },
  );
}

/** A value for `field` in the given style. */
export function fieldValue(
  field: DescField,
  known: KnownValues,
  depth: number,
  style: Style,
): fc.Arbitrary<Json> {
  const itemIn = (kind: 'scalar' | 'enum' | 'message', s: Style): fc.Arbitrary<Json> =>
    kind === 'scalar'
      ? scalar(field, field.scalar!, known, s)
      : kind === 'enum'
        ? enumValue(field.enum!, s)
        : s === 'hostile' && field.message!.typeName !== 'google.protobuf.Struct'
          ? requestWithOneBadField(field.message!, known)
          : messageValue(field, field.message!, known, depth + 1, s);
  const item = (kind: 'scalar' | 'enum' | 'message') => itemIn(kind, style);
  switch (field.fieldKind) {
    case 'scalar':
    case 'enum':
    case 'message':
      return item(field.fieldKind);
    case 'list':
      if (style === 'hostile')
        // Good items with one bad one among them.
        return fc
          .tuple(
            fc.array(itemIn(field.listKind, 'plausible'), { maxLength: 2 }),
            item(field.listKind),
            fc.nat(),
          )
          .map(([good, bad, at]) => {
            const list = [...good];
            list.splice(at % (list.length + 1), 0, bad);
            return list;
          });
      return fc.array(item(field.listKind), { maxLength: style === 'plausible' ? 2 : 3 });
    case 'map':
      return fc.dictionary(
        style === 'plausible' ? fc.string({ maxLength: 8 }) : anyString(),
        item(field.mapKind),
        {
          maxKeys: 3,
        },
      );
  }
}

function messageValue(
  field: DescField,
  desc: DescMessage,
  known: KnownValues,
  depth: number,
  style: Style,
): fc.Arbitrary<Json> {
  if (desc.typeName === 'google.protobuf.Struct') return structValue(field, known, depth, style);
  if (depth > MAX_DEPTH) return fc.constant({});
  return requestJson(desc, known, style, depth);
}

/**
 * Arbitrary Connect JSON for a request message. `plausible`: most fields set,
 * values of the right type biased towards what the platform knows, one member
 * per oneof. `wild`: each field present or not, hostile strings, numbers out of
 * range, enum numbers and names the enum does not declare, wrong types, two
 * members of one oneof, fields the message does not have.
 */
export function requestJson(
  schema: DescMessage,
  known: KnownValues,
  style: Style,
  depth = 0,
): fc.Arbitrary<{ [key: string]: Json }> {
  const entries = schema.fields.map((field) => {
    const entry = fc.tuple(
      style === 'plausible'
        ? fc.constant(field.jsonName)
        : fc.constantFrom(field.jsonName, field.name),
      fieldValue(field, known, depth, style),
    );
    // Plausible requests set every field (one member per oneof is kept below).
    return style === 'plausible' ? entry : fc.option(entry, { freq: 3, nil: undefined });
  });
  const oneofs = schema.oneofs.map((o) => o.fields.map((f) => [f.jsonName, f.name]));
  return fc
    .tuple(
      fc.tuple(...entries),
      style === 'plausible' ? fc.constant(false) : fc.boolean(),
      style === 'plausible'
        ? fc.constant(undefined)
        : fc.option(
            fc.dictionary(
              fc.constantFrom('extra', 'tenantId', '@type', 'constructor'),
              anyString(),
            ),
            {
              freq: 8,
              nil: undefined,
            },
          ),
    )
    .map(([fields, keepBothOneofMembers, extra]) => {
      const out: { [key: string]: Json } = {};
      for (const entry of fields) if (entry) out[entry[0]] = entry[1];
      // Mostly one member per oneof (more is invalid JSON for protobuf, so also tried).
      if (!keepBothOneofMembers) {
        for (const members of oneofs) {
          const present = members.filter((names) => names.some((n) => n in out));
          for (const names of present.slice(1)) for (const n of names) delete out[n];
        }
      }
      return extra ? Object.assign(out, extra) : out;
    });
}

/** A plausible request with one field (or one nested field) replaced by a hostile or wild value. */
export function requestWithOneBadField(
  schema: DescMessage,
  known: KnownValues,
): fc.Arbitrary<{ [key: string]: Json }> {
  if (schema.fields.length === 0) return requestJson(schema, known, 'wild');
  return fc
    .tuple(
      requestJson(schema, known, 'plausible'),
      fc
        .constantFrom(...schema.fields)
        .chain((field) =>
          fc
            .oneof(
              { weight: 3, arbitrary: fieldValue(field, known, 0, 'hostile') },
              { weight: 1, arbitrary: fieldValue(field, known, 0, 'wild') },
            )
            .map((value) => [field, value] as const),
        ),
    )
    .map(([request, [field, value]]) => {
      const out = { ...request };
      for (const o of field.oneof?.fields ?? []) delete out[o.jsonName];
      out[field.jsonName] = value;
      return out;
    });
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
