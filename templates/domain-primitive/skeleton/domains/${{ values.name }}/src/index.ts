// The ${{ values.name }} Domain primitive: users' symbols first.
export { create${{ values.entity }}Domain } from './domain.js';
export type { DomainContext, ${{ values.entity }}Domain, Versioned } from './domain.js';
export { ${{ values.entity }}Status, ${{ values.entity | upper }}_EVENTS } from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';
export type { ${{ values.entity }} } from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';
export { migrateDomain, SCHEMA } from './migrate-domain.js';
export { SERVICE_NAME, serviceRoutes } from './service.js';

// For hosts that discover domains from their Domain manifest (`ameide dev`).
import type { DescService } from '@bufbuild/protobuf';
import type { Database } from '@ameide/persistence';
import { create${{ values.entity }}Domain as createDomain } from './domain.js';
import { migrateDomain as migrate } from './migrate-domain.js';
import { SERVICE_NAME as service, serviceRoutes as routes } from './service.js';

/** What a host needs to serve this domain: its schema migration and its routes. */
export const primitive = {
  name: '${{ values.name }}',
  services: [service],
  migrate: (db: Database) => migrate(db),
  routes: (db: Database, services: ReadonlyMap<string, DescService>) => {
    const desc = services.get(service);
    if (!desc) throw new Error(`${service} is not in the proto descriptors`);
    return routes({ domain: createDomain({ db }), service: desc });
  },
};
