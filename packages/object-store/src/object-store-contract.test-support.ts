// Test support: the one contract every ObjectStore keeps, run against each implementation on
// real storage (versitygw; PGlite and the test run's Postgres).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_OBJECT_BYTES,
  isObjectStoreError,
  sha256Hex,
  type ObjectStore,
  type ObjectStoreError,
} from '@ameide/object-store';

/** One implementation on its storage, opened for one test file. */
export interface ContractFixture {
  /** A store with the default limits. */
  readonly store: ObjectStore;
  /** Another store on the same storage with its own options (e.g. a smaller limit). */
  open(options: { readonly maxObjectBytes: number }): Promise<ObjectStore>;
  /** Replaces the stored bytes of a tenant's object behind the store's back. */
  tamper(tenantId: string, hash: string, bytes: Uint8Array): Promise<void>;
  /** Closes what `open` returned, then the storage. */
  cleanup(): Promise<void>;
}

/** What the promise was rejected with, as an ObjectStoreError (fails the test otherwise). */
export async function refusal(promise: Promise<unknown>): Promise<ObjectStoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isObjectStoreError(error))
    throw new Error(`expected an ObjectStoreError, got ${String(error)}`, { cause: error });
  return error;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Registers the contract suite for one implementation. */
export function describeObjectStoreContract(
  name: string,
  openFixture: () => Promise<ContractFixture>,
): void {
  describe(`the ObjectStore contract on ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;
    beforeAll(async () => {
      fixture = await openFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('stores bytes under their sha256 and reads them back with their content type', async () => {
      const module = bytesOf('\0asm round trip');
      const stored = await store.put('tenant-a', module, { contentType: 'application/wasm' });
      expect(stored).toEqual({ hash: sha256Hex(module), size: module.byteLength });
      expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await store.get('tenant-a', stored.hash)).toEqual(module);
      expect(await store.has('tenant-a', stored.hash)).toBe(true);
      expect(await store.stat('tenant-a', stored.hash)).toEqual({
        ...stored,
        contentType: 'application/wasm',
      });
    });

    it('stores an empty object, with the default content type', async () => {
      const stored = await store.put('tenant-a', new Uint8Array(0));
      expect(stored.size).toBe(0);
      expect(await store.get('tenant-a', stored.hash)).toEqual(new Uint8Array(0));
      expect((await store.stat('tenant-a', stored.hash))?.contentType).toBe(
        'application/octet-stream',
      );
    });

    it('is idempotent: the same bytes get the same address and keep their first content type', async () => {
      const bytes = bytesOf('stored twice');
      const first = await store.put('tenant-a', bytes, { contentType: 'application/wasm' });
      const second = await store.put('tenant-a', bytes, { contentType: 'text/plain' });
      expect(second).toEqual(first);
      expect((await store.stat('tenant-a', first.hash))?.contentType).toBe('application/wasm');
      const other = await store.put('tenant-a', bytesOf('stored twice!'));
      expect(other.hash).not.toBe(first.hash);
      expect(await store.get('tenant-a', first.hash)).toEqual(bytes);
    });

    it('keeps one copy when puts of the same bytes race, and every put succeeds', async () => {
      const bytes = bytesOf('raced');
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.put('tenant-a', bytes, { contentType: 'text/plain' }),
        ),
      );
      expect(new Set(results.map((r) => r.hash))).toEqual(new Set([sha256Hex(bytes)]));
      expect(await store.get('tenant-a', sha256Hex(bytes))).toEqual(bytes);
    });

    it("answers another tenant's hash not_found: no tenant reads another's object", async () => {
      const secret = bytesOf("tenant a's module");
      const { hash } = await store.put('tenant-a', secret);
      const refused = await refusal(store.get('tenant-b', hash));
      expect(refused.code).toBe('not_found');
      expect(refused.reason).toBe('OBJECT_NOT_FOUND');
      expect(refused.message).toBe(`tenant tenant-b has no object sha256:${hash}`);
      expect(await store.has('tenant-b', hash)).toBe(false);
      expect(await store.stat('tenant-b', hash)).toBeUndefined();
      // The same bytes stored by tenant b are b's own copy; a's stays readable.
      await store.put('tenant-b', secret);
      expect(await store.get('tenant-b', hash)).toEqual(secret);
      expect(await store.get('tenant-a', hash)).toEqual(secret);
    });

    it('answers a hash the tenant never stored not_found', async () => {
      const missing = sha256Hex(bytesOf('never stored'));
      expect((await refusal(store.get('tenant-a', missing))).code).toBe('not_found');
      expect(await store.has('tenant-a', missing)).toBe(false);
    });

    it('refuses to return stored bytes that no longer hash to their address (data_loss)', async () => {
      const original = bytesOf('original module');
      const { hash } = await store.put('tenant-a', original);
      const tampered = bytesOf('tampered module');
      await fixture.tamper('tenant-a', hash, tampered);
      const refused = await refusal(store.get('tenant-a', hash));
      expect(refused.code).toBe('data_loss');
      expect(refused.reason).toBe('HASH_MISMATCH');
      expect(refused.message).toContain(`object sha256:${hash} of tenant tenant-a in `);
      expect(refused.message).toContain(
        `is corrupt: its ${tampered.byteLength} bytes hash to sha256:${sha256Hex(tampered)}`,
      );
    });

    it('repairs a tampered object when its bytes are put again', async () => {
      const original = bytesOf('module to repair');
      const { hash } = await store.put('tenant-a', original, { contentType: 'application/wasm' });
      await fixture.tamper('tenant-a', hash, bytesOf('broken'));
      expect((await refusal(store.get('tenant-a', hash))).reason).toBe('HASH_MISMATCH');
      expect(await store.put('tenant-a', original)).toEqual({ hash, size: original.byteLength });
      expect(await store.get('tenant-a', hash)).toEqual(original);
      expect(await store.stat('tenant-a', hash)).toEqual({
        hash,
        size: original.byteLength,
        contentType: 'application/wasm',
      });
    });

    it.each([
      ['empty', ''],
      ['a slash', 'tenant-a/../tenant-b'],
      ['a path of its own', '../tenant-b'],
      ['".."', '..'],
      ['".." inside', 'a..b'],
      ['a space', 'tenant a'],
    ])(
      'refuses a tenant id with %s as invalid_argument, before anything is stored',
      async (_, id) => {
        const bytes = bytesOf(`invalid tenant ${id}`);
        const hash = sha256Hex(bytes);
        for (const call of [
          () => store.put(id, bytes),
          () => store.get(id, hash),
          () => store.has(id, hash),
          () => store.stat(id, hash),
        ]) {
          const refused = await refusal(call());
          expect(refused.code).toBe('invalid_argument');
          expect(refused.reason).toBe('INVALID_TENANT_ID');
          expect(refused.fieldViolations[0]?.field).toBe('tenantId');
        }
        expect(await store.has('tenant-b', hash)).toBe(false);
      },
    );

    it.each([
      ['too short', 'abc'],
      ['upper case', 'A'.repeat(64)],
      ['a path', `../${'a'.repeat(61)}`],
    ])('refuses a hash that is %s as invalid_argument', async (_, hash) => {
      const refused = await refusal(store.get('tenant-a', hash));
      expect(refused.code).toBe('invalid_argument');
      expect(refused.reason).toBe('INVALID_HASH');
      expect(refused.message).toContain('hash must be a sha256 of 64 lower-case hex digits');
    });

    it('refuses a malformed content type as invalid_argument', async () => {
      const refused = await refusal(
        store.put('tenant-a', bytesOf('x'), { contentType: 'wasm\r\nX-Evil: 1' }),
      );
      expect(refused.code).toBe('invalid_argument');
      expect(refused.reason).toBe('INVALID_CONTENT_TYPE');
    });

    it('refuses objects above 16 MiB by default, naming the limit', async () => {
      expect(store.maxObjectBytes).toBe(DEFAULT_MAX_OBJECT_BYTES);
      expect(DEFAULT_MAX_OBJECT_BYTES).toBe(16 * 1024 * 1024);
      const tooLarge = new Uint8Array(DEFAULT_MAX_OBJECT_BYTES + 1);
      const refused = await refusal(store.put('tenant-a', tooLarge));
      expect(refused.code).toBe('invalid_argument');
      expect(refused.reason).toBe('OBJECT_TOO_LARGE');
      expect(refused.message).toBe(
        'object has 16777217 bytes, more than the limit of 16 MiB (16777216 bytes)',
      );
      expect(await store.has('tenant-a', sha256Hex(tooLarge))).toBe(false);
    });

    it('keeps a configured limit: objects up to it are stored, larger ones refused', async () => {
      const small = await fixture.open({ maxObjectBytes: 1024 });
      expect(small.maxObjectBytes).toBe(1024);
      const fits = new Uint8Array(1024).fill(7);
      expect((await small.put('tenant-a', fits)).size).toBe(1024);
      expect(await small.get('tenant-a', sha256Hex(fits))).toEqual(fits);
      const refused = await refusal(small.put('tenant-a', new Uint8Array(1025)));
      expect(refused.reason).toBe('OBJECT_TOO_LARGE');
      expect(refused.message).toContain('more than the limit of 1 KiB (1024 bytes)');
    });

    it('stores and reads back an object of the full default size', async () => {
      const big = new Uint8Array(DEFAULT_MAX_OBJECT_BYTES);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      const { hash, size } = await store.put('tenant-a', big, { contentType: 'application/wasm' });
      expect(size).toBe(DEFAULT_MAX_OBJECT_BYTES);
      expect(sha256Hex(await store.get('tenant-a', hash))).toBe(hash);
    });
  });
}
