import { AmeideError, ErrorCode } from '@ameide/errors';
import type { ArtifactStore } from '@ameide/transformation';
import type { ProcessRef } from '../workflow/types.js';

/** Names a process definition: by artifact id, or by name. */
export type DefinitionRef = { readonly id: string } | { readonly name: string };

/**
 * Where published plans come from: the Transformation Domain. Plans travel by reference
 * (`ProcessRef`); the worker loads the bytes once per plan hash.
 */
export interface PlanSource {
  /** The published version `version` (or the latest) of a definition. `not_found` when none. */
  resolve(tenantId: string, ref: DefinitionRef, version: number | 'latest'): Promise<ProcessRef>;
  /** The stored canonical plan JSON of a published version. */
  load(tenantId: string, ref: ProcessRef): Promise<Uint8Array>;
}

const RUNTIME_ACTOR = 'process-runtime';

/** A PlanSource reading the Transformation Domain's artifact store directly (same process). */
export function createArtifactStorePlanSource(
  store: Pick<ArtifactStore, 'get' | 'getPublishedPlan'>,
): PlanSource {
  return {
    async resolve(tenantId, ref, version) {
      const actor = { tenantId, userId: RUNTIME_ACTOR };
      const artifactRef =
        'id' in ref ? { id: ref.id } : { kind: 'process_definition' as const, name: ref.name };
      const view = await store.get(
        actor,
        artifactRef,
        version === 'latest' ? { latestPublished: true } : { publishedVersion: version },
      );
      const pv = view.publishedVersion;
      if (view.state.kind !== 'process_definition' || !pv || !pv.planHash) {
        throw new AmeideError(
          ErrorCode.NotFound,
          `process definition ${'id' in ref ? ref.id : ref.name} has no published version ${version}`,
          { reason: 'DEFINITION_NOT_PUBLISHED', domain: 'ameide.process' },
        );
      }
      return {
        definitionId: view.state.id,
        name: view.state.name,
        version: pv.version,
        planHash: pv.planHash,
      };
    },
    async load(tenantId, ref) {
      const { plan } = await store.getPublishedPlan(
        { tenantId, userId: RUNTIME_ACTOR },
        { id: ref.definitionId },
        ref.version,
      );
      return plan;
    },
  };
}

/** A PlanSource over fixed plans (tests, benchmarks, embedded samples). */
export function createStaticPlanSource(
  entries: ReadonlyArray<{
    readonly ref: ProcessRef;
    readonly planJson: string;
    readonly tenantId?: string;
  }>,
): PlanSource {
  const encoder = new TextEncoder();
  const visible = (tenantId: string) =>
    entries.filter((e) => e.tenantId === undefined || e.tenantId === tenantId);
  return {
    resolve(tenantId, ref, version) {
      const matches = visible(tenantId)
        .filter((e) => ('id' in ref ? e.ref.definitionId === ref.id : e.ref.name === ref.name))
        .filter((e) => version === 'latest' || e.ref.version === version)
        .sort((a, b) => b.ref.version - a.ref.version);
      const found = matches[0];
      if (!found) {
        return Promise.reject(
          new AmeideError(
            ErrorCode.NotFound,
            `process definition ${'id' in ref ? ref.id : ref.name} version ${version} is not published`,
            {
              reason: 'DEFINITION_NOT_PUBLISHED',
              domain: 'ameide.process',
            },
          ),
        );
      }
      return Promise.resolve(found.ref);
    },
    load(tenantId, ref) {
      const found = visible(tenantId).find(
        (e) => e.ref.definitionId === ref.definitionId && e.ref.version === ref.version,
      );
      if (!found)
        return Promise.reject(
          new AmeideError(ErrorCode.NotFound, `no plan for ${ref.name} v${ref.version}`),
        );
      return Promise.resolve(encoder.encode(found.planJson));
    },
  };
}
