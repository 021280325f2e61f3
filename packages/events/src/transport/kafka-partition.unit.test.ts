import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tenantPartition } from '@ameide/events';

describe('tenantPartition', () => {
  it('is FNV-1a of the tenant id modulo the partition count (fixed values: other processes and releases agree)', () => {
    // 0xe40c292c is FNV-1a's published 32-bit hash of "a".
    expect(tenantPartition('a', 1_000)).toBe(0xe40c292c % 1_000);
    expect(tenantPartition('acme', 6)).toBe(1);
    expect(tenantPartition('globex', 6)).toBe(4);
    expect(tenantPartition('', 6)).toBe(0x811c9dc5 % 6);
  });

  it('always answers the same partition within range for a tenant', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 10_000 }), (t, n) => {
        const p = tenantPartition(t, n);
        return Number.isInteger(p) && p >= 0 && p < n && tenantPartition(t, n) === p;
      }),
    );
  });

  it('spreads tenants over the partitions', () => {
    const counts = Array<number>(6).fill(0);
    for (let i = 0; i < 6_000; i++) counts[tenantPartition(`tenant-${i}`, 6)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => tenantPartition('acme', 0)).toThrow(RangeError);
    expect(() => tenantPartition('acme', 1.5)).toThrow('partitions must be a positive integer');
  });
});
