import { discoverDomains } from '@ameide/factory';
import type { Database } from '@ameide/persistence';
import type { HostedDomain } from '@ameide/platform';
import type { ServiceRegistration } from '@ameide/server';

/**
 * The Domain primitives of the repository at `root` that `ameide dev` serves besides the
 * built-in ones: every `domains/<dir>/deploy/domain.yaml` (e.g. one `ameide scaffold
 * domain-primitive` wrote), with its package's `primitive` export and its services'
 * descriptors from `proto/`.
 */
export async function findHostedDomains(root: string): Promise<HostedDomain[]> {
  const found = await discoverDomains<Database, ServiceRegistration>(root);
  return found.map((d) => ({
    name: d.name,
    migrate: (db) => d.primitive.migrate(db),
    routes: (db) => d.primitive.routes(db, d.services),
  }));
}
