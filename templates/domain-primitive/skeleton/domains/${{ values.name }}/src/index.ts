// The ${{ values.name }} Domain primitive: users' symbols first.
export { create${{ values.entity }}Domain } from './domain.js';
export type { DomainContext, ${{ values.entity }}Domain, Versioned } from './domain.js';
export { ${{ values.entity }}Status, ${{ values.entity | upper }}_EVENTS } from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';
export type { ${{ values.entity }} } from './${{ values.entity | lower }}/${{ values.entity | lower }}.js';
export { migrateDomain, SCHEMA } from './migrate-domain.js';
