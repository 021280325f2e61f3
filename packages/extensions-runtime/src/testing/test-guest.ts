import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGuest } from '../build-guest.js';

/** The guests under `guests/` that tests and benchmarks build. */
export type TestGuestName = 'pricing' | 'hostile';

/** The directory of the example and test guests' AssemblyScript sources. */
export const guestsDir = fileURLToPath(new URL('../../guests/', import.meta.url));

/** The memory maximum the test guests are built with, in pages (2 MiB). */
export const TEST_GUEST_MAX_PAGES = 32;

const built = new Map<TestGuestName, Promise<Uint8Array>>();

/**
 * The module of a test guest, compiled once per machine and sources: the cache directory is
 * named after a hash of every guest source and the compiler version, so an edit rebuilds and
 * parallel test files share one build (written to a temporary name, then renamed).
 */
export function testGuest(name: TestGuestName): Promise<Uint8Array> {
  let b = built.get(name);
  if (!b) {
    b = build(name);
    built.set(name, b);
  }
  return b;
}

async function build(name: TestGuestName): Promise<Uint8Array> {
  const hash = createHash('sha256');
  for (const dir of [guestsDir, join(guestsDir, 'lib')]) {
    for (const f of (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort()) {
      hash.update(f).update(await readFile(join(dir, f)));
    }
  }
  const asc = JSON.parse(
    await readFile(createRequire(import.meta.url).resolve('assemblyscript/package.json'), 'utf8'),
  ) as { version: string };
  hash.update(asc.version).update(String(TEST_GUEST_MAX_PAGES));
  const dir = join(tmpdir(), 'ameide-extension-guests', hash.digest('hex').slice(0, 16));
  const file = join(dir, `${name}.wasm`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${name}.${process.pid}.${Date.now()}.tmp.wasm`);
    const bytes = await buildGuest({
      entry: join(guestsDir, `${name}.ts`),
      outFile: tmp,
      maxMemoryPages: TEST_GUEST_MAX_PAGES,
    });
    await rename(tmp, file);
    return bytes;
  }
}

/** SHA-256 hex of `bytes`, as an extension's `hash`. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
