import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { AmeideError, ErrorCode } from '@ameide/errors';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { registerConformanceService } from '../conformance/conformance-service.js';
import { ConformanceService } from '../conformance/gen/connectrpc/conformance/v1/service_pb.js';
import { createAuthenticationInterceptor, type AuthenticationMode } from './authentication.js';
import { createRequestContextInterceptor } from './request-context.js';

const verifier: TokenVerifier = {
  verify: (token) =>
    token === 'good'
      ? Promise.resolve({ sub: 'alice', tenantId: 'acme' })
      : Promise.reject(
          new AmeideError(ErrorCode.Unauthenticated, 'token malformed', {
            reason: 'TOKEN_MALFORMED',
          }),
        ),
};

function client(mode?: AuthenticationMode) {
  const transport = createRouterTransport(registerConformanceService, {
    router: {
      interceptors: [
        createAuthenticationInterceptor({ verifier, ...(mode ? { mode } : {}) }),
        createRequestContextInterceptor(),
      ],
    },
  });
  return createClient(ConformanceService, transport);
}

async function codeOf(call: Promise<unknown>): Promise<Code | 'ok'> {
  return call.then(
    () => 'ok' as const,
    (e: unknown) => ConnectError.from(e).code,
  );
}

describe('authentication modes', () => {
  it('required (the default) refuses a call without a token', async () => {
    expect(await codeOf(client().unary({}))).toBe(Code.Unauthenticated);
    expect(await codeOf(client('required').unary({}))).toBe(Code.Unauthenticated);
  });

  it('anonymous claims let a call without a token in, for their tenant', async () => {
    const anonymous = client({ anonymousClaims: { sub: 'suite', tenantId: 'conformance' } });
    expect(await codeOf(anonymous.unary({}))).toBe('ok');
  });

  it('anonymous claims still verify a token that is sent', async () => {
    const anonymous = client({ anonymousClaims: { sub: 'suite', tenantId: 'conformance' } });
    const headers = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect(await codeOf(anonymous.unary({}, headers('forged')))).toBe(Code.Unauthenticated);
    expect(await codeOf(anonymous.unary({}, headers('good')))).toBe('ok');
  });

  it('anonymous claims without a valid tenant are refused like such a token', async () => {
    const tenantless = client({ anonymousClaims: { sub: 'suite' } });
    expect(await codeOf(tenantless.unary({}))).toBe(Code.PermissionDenied);
  });
});
