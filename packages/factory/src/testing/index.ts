// For tests: Backstage's own renderer as the reference, and the parameter sets every template
// is checked with.
export { readTree, renderWithBackstage } from './backstage-reference.js';
export type { Tree } from './backstage-reference.js';
export { parameterSets } from './parameter-sets.js';
