import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  bridgeHostCall,
  type HostCallPort,
  type HostCallRequest,
} from '@ameide/extensions-runtime';

const context: RequestContext = {
  tenantId: 'acme',
  orgId: '',
  userId: 'alice',
  groups: [],
  traceId: 't',
};
const GET = 'ameide.sales.v1.OrderService/GetOrder';
const decoder = new TextDecoder();

function call(overrides: Partial<HostCallRequest> = {}): HostCallRequest {
  return {
    extension: 'pricing@1',
    method: GET,
    request: '{"id":"o-1"}',
    allowedHostCalls: [GET],
    context,
    port: (_m, request) => Promise.resolve({ found: request }),
    maxReplyBytes: 1024,
    ...overrides,
  };
}

async function reply(c: HostCallRequest): Promise<unknown> {
  const d = await bridgeHostCall(c);
  if ('refused' in d) throw d.refused;
  return JSON.parse(decoder.decode(d.reply));
}

describe('bridgeHostCall', () => {
  it('performs an allowlisted call through the port with the caller context', async () => {
    const seen: RequestContext[] = [];
    const port: HostCallPort = (_m, _r, ctx) => {
      seen.push(ctx);
      return Promise.resolve({ ok: 1 });
    };
    expect(await reply(call({ port }))).toEqual({ ok: { ok: 1 } });
    expect(seen).toEqual([context]);
  });

  it('refuses a method off the allowlist', async () => {
    const d = await bridgeHostCall(call({ method: 'ameide.sales.v1.OrderService/CancelOrder' }));
    expect('refused' in d && d.refused.code).toBe('permission_denied');
  });

  it('refuses a request naming another tenant at any depth, in either spelling', async () => {
    for (const request of [
      '{"tenantId":"globex"}',
      '{"filter":{"tenant_id":"globex"}}',
      '{"items":[{"id":1},{"tenantId":"globex"}]}',
    ]) {
      const d = await bridgeHostCall(call({ request }));
      expect('refused' in d && d.refused.message).toContain(
        'for tenant "globex" while running for tenant "acme"',
      );
    }
    expect(await reply(call({ request: '{"tenantId":"acme"}' }))).toEqual({
      ok: { found: { tenantId: 'acme' } },
    });
  });

  it('passes an AmeideError of the port to the guest, hides any other error', async () => {
    const notFound = () =>
      Promise.reject(new AmeideError(ErrorCode.NotFound, 'order o-1 not found'));
    expect(await reply(call({ port: notFound }))).toEqual({
      error: { code: 'not_found', message: 'order o-1 not found' },
    });
    const bug = () => Promise.reject(new TypeError('cannot read x of undefined at /srv/app.js'));
    expect(await reply(call({ port: bug }))).toEqual({
      error: { code: 'internal', message: 'internal error' },
    });
  });

  it('answers unavailable without a port, and caps the reply size', async () => {
    expect(await reply(call({ port: undefined }))).toMatchObject({
      error: { code: 'unavailable' },
    });
    const huge = () => Promise.resolve('x'.repeat(2048));
    expect(await reply(call({ port: huge }))).toMatchObject({
      error: {
        code: 'resource_exhausted',
        message: expect.stringContaining('more than the 1024') as string,
      },
    });
  });
});
