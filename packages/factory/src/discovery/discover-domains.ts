import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createFileRegistry, fromBinary, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { parse } from 'yaml';
import { importSourceModule } from './import-source.js';

const run = promisify(execFile);

/**
 * What a domain package exports as `primitive` for hosts that discover it (the
 * domain-primitive template writes it): its name, the proto services it implements, its
 * migration and its routes on a database given the services' descriptors.
 */
export interface DomainPrimitiveModule<Db = unknown, Routes = unknown> {
  readonly name: string;
  readonly services: readonly string[];
  migrate(db: Db): Promise<unknown>;
  routes(db: Db, services: ReadonlyMap<string, DescService>): Routes;
}

/** A domain found in the repository layout, ready to be served. */
export interface DiscoveredDomain<Db = unknown, Routes = unknown> {
  /** `metadata.name` of its Domain manifest. */
  readonly name: string;
  /** `domains/<dir>`. */
  readonly dir: string;
  /** `domains/<dir>/deploy/domain.yaml`. */
  readonly manifest: string;
  readonly primitive: DomainPrimitiveModule<Db, Routes>;
  /** Descriptors of the services it implements, built from the Buf module (`proto/`). */
  readonly services: ReadonlyMap<string, DescService>;
}

/** The `buf` binary of `@bufbuild/buf`. */
function bufBinary(): string {
  const require = createRequire(import.meta.url);
  return join(
    require.resolve('@bufbuild/buf/package.json').replace(/package\.json$/, ''),
    'bin',
    'buf',
  );
}

/**
 * The Domain primitives of a repository layout, found the way `ameide dev` finds them: every
 * `domains/<dir>/deploy/domain.yaml` that is an `ameide.io/v1alpha1` Domain, except the
 * built-in ones (served by the platform itself), with the package's `primitive` export
 * (`domains/<dir>/src/index.ts`) and the descriptors of its services, built by `buf build`
 * from `proto/` so the proto stays the one source of the API. A manifest whose package does
 * not export a `primitive`, or whose services are not in the Buf module, is an error naming
 * the file.
 */
export async function discoverDomains<Db = unknown, Routes = unknown>(
  root: string,
  options: { readonly builtIn?: readonly string[] } = {},
): Promise<DiscoveredDomain<Db, Routes>[]> {
  const builtIn = new Set(options.builtIn ?? ['sales']);
  const domainsDir = resolve(root, 'domains');
  if (!existsSync(domainsDir)) return [];
  const found: Array<Omit<DiscoveredDomain<Db, Routes>, 'services'>> = [];
  for (const entry of (await readdir(domainsDir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) continue;
    const dir = join(domainsDir, entry.name);
    const manifest = join(dir, 'deploy', 'domain.yaml');
    if (!existsSync(manifest)) continue;
    const doc = parse(await readFile(manifest, 'utf8')) as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string };
    } | null;
    if (doc?.apiVersion !== 'ameide.io/v1alpha1' || doc.kind !== 'Domain') continue;
    const name = doc.metadata?.name;
    if (typeof name !== 'string') throw new Error(`${manifest}: metadata.name is missing`);
    if (builtIn.has(name)) continue;
    const mod = (await importSourceModule(join(dir, 'src', 'index.ts'))) as {
      primitive?: DomainPrimitiveModule<Db, Routes>;
    };
    if (!mod.primitive || typeof mod.primitive.routes !== 'function') {
      throw new Error(`${manifest}: domains/${entry.name}/src/index.ts exports no primitive`);
    }
    found.push({ name, dir, manifest, primitive: mod.primitive });
  }
  if (found.length === 0) return [];
  const { stdout } = await run(bufBinary(), ['build', resolve(root), '-o', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, stdout));
  return found.map((d) => {
    const services = new Map<string, DescService>();
    for (const typeName of d.primitive.services) {
      const service = registry.getService(typeName);
      if (!service) throw new Error(`${d.manifest}: service ${typeName} is not in ${root}/proto`);
      services.set(typeName, service);
    }
    return { ...d, services };
  });
}
