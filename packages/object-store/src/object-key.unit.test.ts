import { describe, expect, it } from 'vitest';
import { isObjectStoreError, objectKey, sha256Hex, tenantPrefix } from '@ameide/object-store';

const hash = sha256Hex(new TextEncoder().encode('module'));

describe('objectKey', () => {
  it('puts every object under its tenant: tenants/<tenant>/sha256/<hash>', () => {
    expect(objectKey('acme', hash)).toBe(`tenants/acme/sha256/${hash}`);
    expect(objectKey('acme', hash).startsWith(tenantPrefix('acme'))).toBe(true);
  });

  it('gives no tenant id a key inside another tenant prefix', () => {
    // The ids one could try to reach "tenants/victim/..." with.
    for (const id of ['victim/..', '../victim', 'acme/../victim', '..', 'a..b', '', 'a b', 'ä']) {
      let refused: unknown;
      try {
        objectKey(id, hash);
      } catch (error) {
        refused = error;
      }
      expect(isObjectStoreError(refused) && refused.reason).toBe('INVALID_TENANT_ID');
    }
  });

  it('accepts UUIDs and slugs as tenant ids', () => {
    expect(objectKey('3f0c1c2e-6b8a-4a53-9d43-1f2e3d4c5b6a', hash)).toContain('/sha256/');
    expect(objectKey('acme.eu_1', hash)).toBe(`tenants/acme.eu_1/sha256/${hash}`);
  });
});
