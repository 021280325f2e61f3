import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { createClient, createRouterTransport, type ConnectRouter } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import {
  AddOrderLineRequestSchema,
  type ArtifactKind,
  CancelOrderRequestSchema,
  CreateArtifactRequestSchema,
  CreateCustomerRequestSchema,
  CustomerService,
  EventService,
  OrderSchema,
  OrderService,
  ProcessService,
  RecordPaymentRequestSchema,
  StartProcessRequestSchema,
  TransformationService,
  ameideRegistry,
} from '@ameide/proto';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { fromConnectError, type AmeideError } from '@ameide/errors';
import { diagnoseBinary } from '../input/diagnose-binary.js';
import { findInputViolations } from '../input/find-input-violations.js';
import { inputRules } from '../input/input-rules.js';
import { createLogger } from '../logging/logger.js';
import { createErrorMappingInterceptor } from './error-mapping.js';
import { createInputValidationInterceptor } from './input-validation.js';

function violations<D extends DescMessage>(schema: D, init: MessageInitShape<D>) {
  return findInputViolations(schema, create(schema, init));
}

describe('the input rules', () => {
  it('name only fields that exist, so a renamed field cannot lose its rule silently', () => {
    for (const name of Object.keys(inputRules)) {
      const at = name.lastIndexOf('.');
      const message =
        name.slice(0, at) === ValueSchema.typeName
          ? ValueSchema
          : ameideRegistry.getMessage(name.slice(0, at));
      expect(
        message?.fields.some((f) => f.name === name.slice(at + 1)),
        name,
      ).toBe(true);
    }
  });
});

describe('findInputViolations on Ameide requests', () => {
  it.each([
    ['NUL in a customer name', CreateCustomerRequestSchema, { name: 'Ada\u0000' }, 'name'],
    [
      'a control character in an email',
      CreateCustomerRequestSchema,
      { email: 'a\u0007@b.c' },
      'email',
    ],
    [
      'NUL in a nested currency',
      CreateCustomerRequestSchema,
      { creditLimit: { currency: 'EU\u0000' } },
      'credit_limit.currency',
    ],
    ['NUL in a SKU', AddOrderLineRequestSchema, { sku: 'SKU\u0000-1' }, 'sku'],
    [
      'NUL in a correlation id',
      CreateArtifactRequestSchema,
      { correlationId: 'c\u0000' },
      'correlation_id',
    ],
    ['NUL in a cancel reason', CancelOrderRequestSchema, { reason: 'no\u0000' }, 'reason'],
    [
      'NUL in a payment reference',
      RecordPaymentRequestSchema,
      { paymentReference: 'p\u0000' },
      'payment_reference',
    ],
    [
      'a newline in a single-line field',
      CreateCustomerRequestSchema,
      { name: 'Ada\nLovelace' },
      'name',
    ],
  ] as const)('refuses %s, naming %s', (_what, schema, init, field) => {
    const found = violations(schema as DescMessage, init as never);
    expect(found).toEqual([
      { field, description: expect.stringMatching(/control characters/) as string },
    ]);
  });

  it('lets tab and line breaks through in free-text fields, not NUL', () => {
    expect(violations(CancelOrderRequestSchema, { reason: 'line 1\r\n\tline 2' })).toEqual([]);
    expect(violations(CancelOrderRequestSchema, { reason: 'line 1\n\u0000' })[0]?.description).toBe(
      'must not contain control characters other than tab and line breaks (U+0000 at index 7)',
    );
  });

  it('refuses lone surrogates but not surrogate pairs', () => {
    expect(violations(CreateCustomerRequestSchema, { name: 'emoji 😀 ok' })).toEqual([]);
    expect(violations(CreateCustomerRequestSchema, { name: 'broken \ud83d' })).toEqual([
      { field: 'name', description: 'is not valid Unicode (lone surrogate U+D83D at index 7)' },
    ]);
  });

  it('enforces the default length and the business-key limit', () => {
    expect(violations(CreateCustomerRequestSchema, { name: 'x'.repeat(1025) })).toEqual([
      { field: 'name', description: 'is 1025 characters; at most 1024' },
    ]);
    expect(violations(StartProcessRequestSchema, { businessKey: 'k'.repeat(2049) })).toEqual([
      { field: 'business_key', description: 'is 2049 characters; at most 500' },
    ]);
  });

  it('names enum numbers the enum does not declare', () => {
    expect(violations(CreateArtifactRequestSchema, { kind: 99 as ArtifactKind })).toEqual([
      {
        field: 'kind',
        description: 'unknown value 99 of enum ameide.transformation.v1.ArtifactKind',
      },
    ]);
  });

  it('walks lists with their index', () => {
    const order = create(OrderSchema, { lines: [{ sku: 'ok' }, { sku: 'bad\u0000' }] });
    expect(findInputViolations(OrderSchema, order)).toEqual([
      { field: 'lines[1].sku', description: expect.stringMatching(/^must not contain/) as string },
    ]);
  });

  it('walks JSON variables with JSON paths, allowing multi-line text', () => {
    const found = violations(StartProcessRequestSchema, {
      variables: {
        note: 'two\nlines',
        customer: { name: 'Ada\u0000' },
        items: ['ok', 'x\u0001'],
        'odd\u0000key': 1,
      },
    });
    expect(found.map((v) => v.field)).toEqual([
      'variables.customer.name',
      'variables.items[1]',
      'variables["odd\\u0000key"] (key)',
    ]);
  });

  it('refuses non-finite numbers and nesting deeper than 64 levels', () => {
    const value = create(StartProcessRequestSchema, { variables: { n: 1 } });
    value.variables = { n: Number.NaN };
    expect(findInputViolations(StartProcessRequestSchema, value)).toEqual([
      { field: 'variables.n', description: 'must be a finite number, got NaN' },
    ]);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 70; i++) deep = { d: deep };
    expect(
      violations(StartProcessRequestSchema, { variables: deep as never })[0]?.description,
    ).toBe('nests deeper than 64 levels');
  });
});

describe('diagnoseBinary', () => {
  const notUtf8 = new Uint8Array([0x41, 0xc3, 0x28]);
  it('names a top-level string that is not UTF-8', () => {
    const bytes = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(notUtf8).finish();
    expect(diagnoseBinary(CreateCustomerRequestSchema, bytes)).toEqual({
      field: 'name',
      description: 'is not valid UTF-8',
    });
  });

  it('names a nested string', () => {
    const money = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(notUtf8).finish();
    const bytes = new BinaryWriter()
      .tag(2, WireType.LengthDelimited)
      .string('SKU-1')
      .tag(4, WireType.LengthDelimited)
      .bytes(money)
      .finish();
    expect(diagnoseBinary(AddOrderLineRequestSchema, bytes)?.field).toBe('unit_price.currency');
  });

  it('names a string inside JSON variables by its JSON path', () => {
    const value = new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(notUtf8).finish();
    const entry = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string('note')
      .tag(2, WireType.LengthDelimited)
      .bytes(value)
      .finish();
    const struct = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(entry).finish();
    const bytes = new BinaryWriter().tag(4, WireType.LengthDelimited).bytes(struct).finish();
    expect(diagnoseBinary(StartProcessRequestSchema, bytes)).toEqual({
      field: 'variables.note',
      description: 'is not valid UTF-8',
    });
  });

  it('reports a message cut short, and nothing for a valid one', () => {
    expect(diagnoseBinary(CreateCustomerRequestSchema, new Uint8Array([0x0a, 0x05, 0x41]))).toEqual(
      {
        field: 'name',
        description: 'premature EOF',
      },
    );
    const ok = new BinaryWriter().tag(1, WireType.LengthDelimited).string('Ada').finish();
    expect(diagnoseBinary(CreateCustomerRequestSchema, ok)).toBeUndefined();
  });
});

describe('the input-validation interceptor', () => {
  const reached: string[] = [];
  const routes = (router: ConnectRouter) => {
    router.service(CustomerService, {
      createCustomer(req) {
        reached.push(`createCustomer ${req.name}`);
        return {};
      },
    });
    router.service(OrderService, {
      cancelOrder(req) {
        reached.push(`cancelOrder ${JSON.stringify(req.reason)}`);
        return {};
      },
    });
    router.service(TransformationService, {
      createArtifact() {
        reached.push('createArtifact');
        return {};
      },
    });
    router.service(ProcessService, {
      startProcess() {
        reached.push('startProcess');
        return {};
      },
    });
    router.service(EventService, {
      // eslint-disable-next-line require-yield, @typescript-eslint/require-await
      async *tailEvents() {
        reached.push('tailEvents');
      },
    });
  };
  // As in the host: the error mapping turns the AmeideError into a ConnectError.
  const logger = createLogger({ primitive: { type: 'platform', name: 'test' }, level: 'silent' });
  const transport = createRouterTransport(routes, {
    router: {
      interceptors: [createErrorMappingInterceptor({ logger }), createInputValidationInterceptor()],
    },
  });

  async function refusal(call: () => Promise<unknown>): Promise<AmeideError> {
    try {
      await call();
    } catch (err) {
      return fromConnectError(err);
    }
    throw new Error('expected the call to be refused');
  }

  it('refuses bad input with invalid_argument naming the field, before the handler', async () => {
    reached.length = 0;
    const customers = createClient(CustomerService, transport);
    const err = await refusal(() =>
      customers.createCustomer({ name: 'Ada\u0000', email: 'a@b.c' }),
    );
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe(
      'invalid CreateCustomerRequest: name must not contain control characters (U+0000 at index 3)',
    );
    expect(err.fieldViolations).toEqual([
      { field: 'name', description: 'must not contain control characters (U+0000 at index 3)' },
    ]);
    const artifacts = createClient(TransformationService, transport);
    const unknownKind = await refusal(() =>
      artifacts.createArtifact({ kind: 42 as ArtifactKind, name: 'n' }),
    );
    expect(unknownKind.fieldViolations).toEqual([
      {
        field: 'kind',
        description: 'unknown value 42 of enum ameide.transformation.v1.ArtifactKind',
      },
    ]);
    const processes = createClient(ProcessService, transport);
    const longKey = await refusal(() =>
      processes.startProcess({
        definition: { case: 'definitionName', value: 'p' },
        businessKey: 'k'.repeat(2049),
      }),
    );
    expect(longKey.fieldViolations[0]?.field).toBe('business_key');
    expect(reached).toEqual([]);
  });

  it('passes good input through unchanged', async () => {
    reached.length = 0;
    await createClient(CustomerService, transport).createCustomer({ name: 'Ada', email: 'a@b.c' });
    await createClient(OrderService, transport).cancelOrder({ reason: 'first\nsecond' });
    expect(reached).toEqual(['createCustomer Ada', 'cancelOrder "first\\nsecond"']);
  });

  it('checks the message of a server stream before the handler reads it', async () => {
    reached.length = 0;
    const events = createClient(EventService, transport);
    const err = await refusal(async () => {
      for await (const _ of events.tailEvents({ domain: 'sales\u0000' })) void _;
    });
    expect(err.fieldViolations.map((v) => v.field)).toEqual(['domain']);
    expect(reached).toEqual([]);
  });
});
