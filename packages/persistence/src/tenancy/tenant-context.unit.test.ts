import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAmeideError } from '@ameide/errors';
import { assertValidTenantId, isPersistenceError, MAX_TENANT_ID_LENGTH } from '@ameide/persistence';

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const allowed = fc.oneof(alnum, fc.constantFrom('.', '_', '-'));
const validId = fc
  .tuple(alnum, fc.array(allowed, { maxLength: MAX_TENANT_ID_LENGTH - 1 }))
  .map(([first, rest]) => first + rest.join(''));

function reasonOf(tenantId: unknown): string | undefined {
  try {
    assertValidTenantId(tenantId);
    return undefined;
  } catch (error) {
    return isPersistenceError(error) ? error.reason : 'not a PersistenceError';
  }
}

describe('assertValidTenantId', () => {
  it('accepts every id of 1 to 128 characters from [A-Za-z0-9._-] that starts with a letter or digit', () => {
    fc.assert(fc.property(validId, (id) => reasonOf(id) === undefined));
    expect(reasonOf('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeUndefined();
  });

  it('refuses an id with any other character, naming the field', () => {
    const bad = fc
      .tuple(
        validId,
        fc.string({ minLength: 1, maxLength: 3 }).filter((s) => /[^A-Za-z0-9._-]/.test(s)),
        fc.nat(),
      )
      .map(([id, junk, at]) => {
        const i = at % (id.length + 1);
        return id.slice(0, i) + junk + id.slice(i);
      });
    fc.assert(fc.property(bad, (id) => reasonOf(id) === 'INVALID_TENANT_ID'));
    expect(() => assertValidTenantId("acme' OR '1'='1")).toThrow(/^tenantId must match/);
  });

  it('refuses empty, too long, non-string and punctuation-first ids with a message saying why', () => {
    expect(() => assertValidTenantId('')).toThrow('tenantId must not be empty');
    expect(() => assertValidTenantId('a'.repeat(MAX_TENANT_ID_LENGTH + 1))).toThrow(
      `tenantId must be at most ${MAX_TENANT_ID_LENGTH} characters, got ${MAX_TENANT_ID_LENGTH + 1}`,
    );
    expect(() => assertValidTenantId(undefined)).toThrow(
      'tenantId must be a string, got undefined',
    );
    expect(() => assertValidTenantId(null)).toThrow('tenantId must be a string, got null');
    for (const id of ['.acme', '-acme', '_acme']) expect(reasonOf(id)).toBe('INVALID_TENANT_ID');
    expect(reasonOf('a'.repeat(MAX_TENANT_ID_LENGTH))).toBeUndefined();
  });
});

describe('persistence errors', () => {
  it('are AmeideErrors, so the service host maps them onto Connect codes with the field named', () => {
    let error: unknown;
    try {
      assertValidTenantId('');
    } catch (e) {
      error = e;
    }
    expect(isAmeideError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'PersistenceError',
      code: 'invalid_argument',
      reason: 'INVALID_TENANT_ID',
      domain: 'ameide.persistence',
      fieldViolations: [{ field: 'tenantId', description: 'must not be empty' }],
    });
  });
});
