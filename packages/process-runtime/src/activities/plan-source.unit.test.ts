import { AmeideError, ErrorCode } from '@ameide/errors';
import { sha256Hex } from '@ameide/process-definition/plan';
import type { ArtifactStore } from '@ameide/transformation';
import { describe, expect, it } from 'vitest';
import type { ProcessRef } from '../workflow/types.js';
import {
  createArtifactStorePlanSource,
  createPlanSource,
  type DefinitionRef,
  type PlanReader,
} from './plan-source.js';

const planJson = JSON.stringify({ planVersion: 1, process: { id: 'p' }, nodes: {} });
const hash = sha256Hex(new TextEncoder().encode(planJson));
const ref: ProcessRef = { definitionId: 'd-1', name: 'p', version: 3, planHash: hash };

/** A reader over one stored version that counts its reads. */
function countingReader(stored = planJson) {
  const reads: Array<[string, DefinitionRef, number | 'latest']> = [];
  const reader: PlanReader = {
    read(tenantId, r, version) {
      reads.push([tenantId, r, version]);
      return Promise.resolve({ ref, bytes: new TextEncoder().encode(stored) });
    },
  };
  return { reads, reader };
}

describe('createPlanSource', () => {
  it('a start reads once; the worker of the same process then finds the plan in the cache', async () => {
    const { reads, reader } = countingReader();
    const plans = createPlanSource(reader);
    const started = await plans.resolve('acme', { name: 'p' }, 'latest');
    expect(started.ref).toEqual(ref);
    expect(started.plan).toEqual(JSON.parse(planJson));
    expect(started.planJson).toBe(planJson);
    expect((await plans.load('acme', ref)).planJson).toBe(planJson);
    expect(reads).toEqual([['acme', { name: 'p' }, 'latest']]);
  });

  it('caches per tenant: another tenant reads (and is checked) on its own', async () => {
    const { reads, reader } = countingReader();
    const plans = createPlanSource(reader);
    await plans.load('acme', ref);
    await plans.load('acme', ref);
    await plans.load('other', ref);
    expect(reads).toEqual([
      ['acme', { id: 'd-1' }, 3],
      ['other', { id: 'd-1' }, 3],
    ]);
  });

  it('checks the bytes against the hash where they are read, and caches nothing it refused', async () => {
    const { reads, reader } = countingReader(planJson.replace('"p"', '"q"'));
    const plans = createPlanSource(reader);
    const refused = { code: ErrorCode.DataLoss, reason: 'PLAN_HASH_MISMATCH' };
    await expect(plans.resolve('acme', { name: 'p' }, 'latest')).rejects.toMatchObject(refused);
    await expect(plans.load('acme', ref)).rejects.toThrow(/pinned to/);
    await expect(plans.load('acme', ref)).rejects.toMatchObject(refused);
    expect(reads).toHaveLength(3);
  });

  it('keeps at most cacheSize plans, dropping the oldest', async () => {
    const { reads, reader } = countingReader();
    const plans = createPlanSource(reader, { cacheSize: 1 });
    await plans.load('a', ref);
    await plans.load('b', ref);
    await plans.load('b', ref);
    await plans.load('a', ref);
    expect(reads.map(([t]) => t)).toEqual(['a', 'b', 'a']);
  });
});

describe('createArtifactStorePlanSource', () => {
  const published = {
    artifact: { id: 'd-1', kind: 'process_definition' as const, name: 'p' },
    version: {
      version: 3,
      contentHash: 'c',
      streamVersion: 5n,
      publishedAt: new Date(0),
      publishedBy: 'u',
      planHash: hash,
    },
    plan: new TextEncoder().encode(planJson),
  };

  it('answers a start from one getPublishedPlan: the version, its hash and its plan', async () => {
    const calls: unknown[] = [];
    const store: Pick<ArtifactStore, 'getPublishedPlan'> = {
      getPublishedPlan: (actor, r, version) => {
        calls.push([actor.tenantId, r, version]);
        return Promise.resolve(published);
      },
    };
    const plans = createArtifactStorePlanSource(store);
    expect((await plans.resolve('acme', { name: 'p' }, 'latest')).ref).toEqual(ref);
    await plans.load('acme', ref);
    expect(calls).toEqual([['acme', { kind: 'process_definition', name: 'p' }, 'latest']]);
  });

  it('an artifact without a plan is no published process definition (not_found)', async () => {
    const store: Pick<ArtifactStore, 'getPublishedPlan'> = {
      getPublishedPlan: () =>
        Promise.reject(
          new AmeideError(ErrorCode.FailedPrecondition, 'no plan', { reason: 'NO_PLAN' }),
        ),
    };
    await expect(
      createArtifactStorePlanSource(store).resolve('acme', { id: 'd-9' }, 1),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound, reason: 'DEFINITION_NOT_PUBLISHED' });
  });
});
