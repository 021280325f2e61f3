import { createHash } from 'node:crypto';
import { AmeideError, ErrorCode, isAmeideError } from '@ameide/errors';
import type { ExecutionPlan } from '@ameide/process-definition/plan';
import type { ArtifactStore } from '@ameide/transformation';
import type { DecisionRef, LoadedDecision, ProcessRef } from '../workflow/types.js';

/** Names a process definition: by artifact id, or by name. */
export type DefinitionRef = { readonly id: string } | { readonly name: string };

/** A published version with its plan, verified against the plan hash it is pinned to. */
export interface ResolvedPlan {
  readonly ref: ProcessRef;
  /** The plan's canonical JSON, exactly as stored (its SHA-256 is `ref.planHash`). */
  readonly planJson: string;
  readonly plan: ExecutionPlan;
}

/**
 * Where published plans come from: the Transformation Domain. Plans travel by reference
 * (`ProcessRef`); every plan handed out has been checked against its hash where it was read, and
 * is kept in one cache per source (tenant + hash), so a start reads the definition once and the
 * worker of the same process finds the plan in that cache.
 */
export interface PlanSource {
  /**
   * The published version `version` (or the latest) of a definition, with its plan: one read.
   * `not_found` when there is none; `data_loss` when the stored plan does not match its hash.
   */
  resolve(tenantId: string, ref: DefinitionRef, version: number | 'latest'): Promise<ResolvedPlan>;
  /** The plan of a pinned version (`data_loss` when the stored bytes do not match `ref.planHash`). */
  load(tenantId: string, ref: ProcessRef): Promise<ResolvedPlan>;
  /**
   * The published version `version` (or the latest) of a decision definition with its
   * DecisionPlan, checked against the version's plan hash: what a business rule task evaluates.
   * `not_found` when there is none; `data_loss` when the stored plan does not match its hash.
   */
  resolveDecision(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<LoadedDecision>;
}

/** Reads one published version and its stored plan bytes, in one go (one tenant transaction). */
export interface PlanReader {
  read(
    tenantId: string,
    ref: DefinitionRef,
    version: number | 'latest',
  ): Promise<{ readonly ref: ProcessRef; readonly bytes: Uint8Array }>;
  /** A published decision definition version and its DecisionPlan bytes; absent: none are served. */
  readDecision?(
    tenantId: string,
    name: string,
    version: number | 'latest',
  ): Promise<{ readonly ref: DecisionRef; readonly bytes: Uint8Array }>;
}

export interface PlanSourceOptions {
  /** Plans kept in memory (default 256; the oldest goes first). */
  readonly cacheSize?: number;
}

/** `ErrorInfo` reason of a stored plan whose bytes do not match the hash it is pinned to. */
export const PLAN_HASH_MISMATCH = 'PLAN_HASH_MISMATCH';

const RUNTIME_ACTOR = 'process-runtime';

/** A PlanSource over a reader: hash check and the one cache. */
export function createPlanSource(reader: PlanReader, options: PlanSourceOptions = {}): PlanSource {
  const cacheSize = options.cacheSize ?? 256;
  const cache = new Map<string, ResolvedPlan>();
  const keyOf = (tenantId: string, planHash: string) => `${tenantId}\u0000${planHash}`;

  const verified = (
    tenantId: string,
    pinned: ProcessRef,
    read: { ref: ProcessRef; bytes: Uint8Array },
  ): ResolvedPlan => {
    const hash = createHash('sha256').update(read.bytes).digest('hex');
    if (hash !== pinned.planHash) {
      throw new AmeideError(
        ErrorCode.DataLoss,
        `plan of ${pinned.name} v${pinned.version} has hash ${hash}, the instance is pinned to ${pinned.planHash}`,
        { reason: PLAN_HASH_MISMATCH, domain: 'ameide.process' },
      );
    }
    const planJson = new TextDecoder().decode(read.bytes);
    const resolved: ResolvedPlan = {
      ref: read.ref,
      planJson,
      plan: JSON.parse(planJson) as ExecutionPlan,
    };
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(keyOf(tenantId, hash), resolved);
    return resolved;
  };

  return {
    async resolveDecision(tenantId, name, version) {
      if (!reader.readDecision) throw decisionNotPublished(name, version);
      const read = await reader.readDecision(tenantId, name, version);
      const hash = createHash('sha256').update(read.bytes).digest('hex');
      if (hash !== read.ref.planHash) {
        throw new AmeideError(
          ErrorCode.DataLoss,
          `decision plan of ${read.ref.name} v${read.ref.version} has hash ${hash}, the version is published with ${read.ref.planHash}`,
          { reason: PLAN_HASH_MISMATCH, domain: 'ameide.process' },
        );
      }
      return { ref: read.ref, planJson: new TextDecoder().decode(read.bytes) };
    },
    async resolve(tenantId, ref, version) {
      const read = await reader.read(tenantId, ref, version);
      const hit = cache.get(keyOf(tenantId, read.ref.planHash));
      if (hit) return { ...hit, ref: read.ref };
      return verified(tenantId, read.ref, read);
    },
    async load(tenantId, ref) {
      const hit = cache.get(keyOf(tenantId, ref.planHash));
      if (hit) return { ...hit, ref };
      const read = await reader.read(tenantId, { id: ref.definitionId }, ref.version);
      return verified(tenantId, ref, read);
    },
  };
}

const notPublished = (ref: DefinitionRef, version: number | 'latest'): AmeideError =>
  new AmeideError(
    ErrorCode.NotFound,
    `process definition ${'id' in ref ? ref.id : ref.name} has no published version ${version}`,
    { reason: 'DEFINITION_NOT_PUBLISHED', domain: 'ameide.process' },
  );

const decisionNotPublished = (name: string, version: number | 'latest'): AmeideError =>
  new AmeideError(
    ErrorCode.NotFound,
    `decision definition ${name} has no published version ${version}`,
    { reason: 'DECISION_NOT_PUBLISHED', domain: 'ameide.process' },
  );

/**
 * A PlanSource reading the Transformation Domain's artifact store directly (same process): each
 * read is one `getPublishedPlan` (one tenant transaction answering the version and its plan).
 */
export function createArtifactStorePlanSource(
  store: Pick<ArtifactStore, 'getPublishedPlan'>,
  options: PlanSourceOptions = {},
): PlanSource {
  return createPlanSource(
    {
      async read(tenantId, ref, version) {
        const artifactRef =
          'id' in ref ? { id: ref.id } : { kind: 'process_definition' as const, name: ref.name };
        let found: Awaited<ReturnType<ArtifactStore['getPublishedPlan']>>;
        try {
          found = await store.getPublishedPlan(
            { tenantId, userId: RUNTIME_ACTOR },
            artifactRef,
            version,
          );
        } catch (err) {
          // A published artifact of another kind has no plan: it is no process definition.
          if (isAmeideError(err) && err.reason === 'NO_PLAN') throw notPublished(ref, version);
          throw err;
        }
        const { artifact, version: pv, plan } = found;
        if (artifact.kind !== 'process_definition' || !pv.planHash)
          throw notPublished(ref, version);
        return {
          ref: {
            definitionId: artifact.id,
            name: artifact.name,
            version: pv.version,
            planHash: pv.planHash,
          },
          bytes: plan,
        };
      },
      async readDecision(tenantId, name, version) {
        let found: Awaited<ReturnType<ArtifactStore['getPublishedPlan']>>;
        try {
          found = await store.getPublishedPlan(
            { tenantId, userId: RUNTIME_ACTOR },
            { kind: 'decision_definition', name },
            version,
          );
        } catch (err) {
          if (isAmeideError(err) && (err.reason === 'NO_PLAN' || err.code === ErrorCode.NotFound))
            throw decisionNotPublished(name, version);
          throw err;
        }
        const { artifact, version: pv, plan } = found;
        if (artifact.kind !== 'decision_definition' || !pv.planHash)
          throw decisionNotPublished(name, version);
        return {
          ref: {
            definitionId: artifact.id,
            name: artifact.name,
            version: pv.version,
            planHash: pv.planHash,
          },
          bytes: plan,
        };
      },
    },
    options,
  );
}

/** A PlanSource over fixed plans (tests, benchmarks, embedded samples). */
export function createStaticPlanSource(
  entries: ReadonlyArray<{
    readonly ref: ProcessRef;
    readonly planJson: string;
    readonly tenantId?: string;
  }>,
  options: PlanSourceOptions & {
    /** Published decision plans (business rule tasks), by ref. */
    readonly decisions?: ReadonlyArray<{
      readonly ref: DecisionRef;
      readonly planJson: string;
      readonly tenantId?: string;
    }>;
  } = {},
): PlanSource {
  const encoder = new TextEncoder();
  const decisions = options.decisions ?? [];
  return createPlanSource(
    {
      readDecision(tenantId, name, version) {
        const found = decisions
          .filter((e) => e.tenantId === undefined || e.tenantId === tenantId)
          .filter((e) => e.ref.name === name && (version === 'latest' || e.ref.version === version))
          .sort((a, b) => b.ref.version - a.ref.version)[0];
        if (!found) return Promise.reject(decisionNotPublished(name, version));
        return Promise.resolve({ ref: found.ref, bytes: encoder.encode(found.planJson) });
      },
      read(tenantId, ref, version) {
        const found = entries
          .filter((e) => e.tenantId === undefined || e.tenantId === tenantId)
          .filter((e) => ('id' in ref ? e.ref.definitionId === ref.id : e.ref.name === ref.name))
          .filter((e) => version === 'latest' || e.ref.version === version)
          .sort((a, b) => b.ref.version - a.ref.version)[0];
        if (!found) return Promise.reject(notPublished(ref, version));
        return Promise.resolve({ ref: found.ref, bytes: encoder.encode(found.planJson) });
      },
    },
    options,
  );
}
