const encoder = new TextEncoder();

/**
 * The partition a tenant's events go to: FNV-1a (32 bit) of the tenant id's UTF-8 bytes,
 * modulo the topic's partition count. Stable across processes and releases, so every event
 * of a tenant lands in one partition and keeps its order there. Changing a topic's partition
 * count moves tenants: never add partitions to a topic that is in use.
 */
export function tenantPartition(tenantId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be a positive integer, not ${partitions}`);
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(tenantId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
