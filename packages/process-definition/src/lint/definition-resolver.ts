import type { DefinitionVersion } from '../model/process-definition.js';

/**
 * Which ProcessDefinitions are published, for call activity checks. Synchronous on purpose:
 * lint and compile stay pure and deterministic; a caller backed by a store loads the list of
 * published names and versions first.
 */
export interface DefinitionResolver {
  /** Whether `name` is published at `version` (`latest`: at any version). */
  hasDefinition(name: string, version: DefinitionVersion): boolean;
}

/** A resolver over a fixed list: `{ 'credit-check': [1, 2] }`. */
export function createDefinitionResolver(
  publishedVersions: Readonly<Record<string, readonly number[]>>,
): DefinitionResolver {
  const known = new Map<string, ReadonlySet<number>>();
  for (const [name, versions] of Object.entries(publishedVersions))
    known.set(name, new Set(versions));
  return {
    hasDefinition(name, version) {
      const versions = known.get(name);
      if (!versions || versions.size === 0) return false;
      return version === 'latest' || versions.has(version);
    },
  };
}
