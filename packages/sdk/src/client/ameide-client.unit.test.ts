import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createRouterTransport } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { PlatformService, RequestContextSchema, ameideServices } from '@ameide/proto';
import { AmeideError, toConnectError } from '@ameide/errors';
import {
  ameideInterceptors,
  ameideServiceMap,
  createAmeideClientFromTransport,
  isAmeideError,
} from '@ameide/sdk';

describe('AmeideClient', () => {
  it('has a typed client for every service of the proto module', () => {
    const inSdk = Object.values(ameideServiceMap)
      .map((s) => s.typeName)
      .sort();
    expect(inSdk).toEqual(ameideServices().map((s) => s.typeName));
  });

  it('maps domain errors to AmeideError with typed details', async () => {
    const transport = createRouterTransport(
      (router) =>
        router.service(PlatformService, {
          whoAmI() {
            throw toConnectError(
              AmeideError.versionConflict({
                subject: 'artifact',
                subjectId: 'a1',
                expectedVersion: 3n,
                actualVersion: 5n,
              }),
            );
          },
          getVersion() {
            throw toConnectError(
              AmeideError.invalidArgument('bad order', [
                { field: 'lines[0].quantity', description: 'must be > 0' },
              ]),
            );
          },
        }),
      { transport: { interceptors: ameideInterceptors({ token: 't' }) } },
    );
    const client = createAmeideClientFromTransport(transport);
    const conflict = await client.platform.whoAmI({}).catch((e: unknown) => e);
    expect(isAmeideError(conflict)).toBe(true);
    expect(conflict).toMatchObject({
      code: 'aborted',
      reason: 'VERSION_CONFLICT',
      conflict: { subject: 'artifact', subjectId: 'a1', expectedVersion: 3n, actualVersion: 5n },
    });
    const invalid = await client.platform.getVersion({}).catch((e: unknown) => e);
    expect(invalid).toMatchObject({
      code: 'invalid_argument',
      fieldViolations: [{ field: 'lines[0].quantity', description: 'must be > 0' }],
    });
  });

  it('never leaks the message of an unexpected error', () => {
    const ce = toConnectError(new Error('password=hunter2 at db.internal:5432'));
    expect(ce.code).toBe(Code.Internal);
    expect(ce.rawMessage).toBe('internal error');
  });

  it('retries idempotent reads on unavailable, with the auth header each time', async () => {
    let calls = 0;
    const seenAuth: (string | null)[] = [];
    const transport = createRouterTransport(
      (router) =>
        router.service(PlatformService, {
          whoAmI(_req, ctx) {
            calls++;
            seenAuth.push(ctx.requestHeader.get('authorization'));
            if (calls < 3) throw new ConnectError('try again', Code.Unavailable);
            return { context: create(RequestContextSchema, { tenantId: 'acme' }) };
          },
          getVersion() {
            calls++;
            throw new ConnectError('down', Code.Unavailable);
          },
        }),
      {
        transport: {
          interceptors: ameideInterceptors({
            getToken: () => 'tok',
            retry: { initialBackoffMs: 1 },
          }),
        },
      },
    );
    const client = createAmeideClientFromTransport(transport);
    const { context } = await client.platform.whoAmI({});
    expect(context?.tenantId).toBe('acme');
    expect(calls).toBe(3);
    expect(seenAuth).toEqual(['Bearer tok', 'Bearer tok', 'Bearer tok']);
    calls = 0;
    const err = await client.platform.getVersion({}).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(isAmeideError(err) && err.code).toBe('unavailable');
  });

  it('sends a W3C traceparent on every call', async () => {
    const seen: string[] = [];
    const transport = createRouterTransport(
      (router) =>
        router.service(PlatformService, {
          whoAmI(_req, ctx) {
            seen.push(ctx.requestHeader.get('traceparent') ?? '');
            return {};
          },
          getVersion: () => ({}),
        }),
      { transport: { interceptors: ameideInterceptors({}) } },
    );
    const client = createAmeideClientFromTransport(transport);
    await client.platform.whoAmI({});
    await client.platform.whoAmI({});
    expect(seen).toHaveLength(2);
    for (const tp of seen) expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(seen[0]).not.toBe(seen[1]);
  });
});
