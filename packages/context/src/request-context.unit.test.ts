import { createContextValues } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { getActor, getRequestContext, requestContextKey } from '@ameide/context';

describe('request context', () => {
  it('reads the context the host stored, and the actor without the trace', () => {
    const values = createContextValues().set(requestContextKey, {
      tenantId: 'acme',
      orgId: 'emea',
      userId: 'alice',
      groups: ['sales'],
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(getRequestContext({ values }).tenantId).toBe('acme');
    expect(getActor({ values })).toEqual({
      tenantId: 'acme',
      orgId: 'emea',
      userId: 'alice',
      groups: ['sales'],
    });
  });

  it('refuses a call that did not pass the host authentication', () => {
    expect(() => getRequestContext({ values: createContextValues() })).toThrow(
      expect.objectContaining({
        code: 16,
        rawMessage: 'no request context: call not authenticated',
      }),
    );
  });
});
