import type { Queryable } from '@ameide/persistence';
import { latestPublishedVersion, type ArtifactState } from '../artifacts/artifact-state.js';
import type { ArtifactKind, ArtifactStatus } from '../artifacts/artifact-kind.js';

/** One row of the artifact list read model. */
export interface ArtifactSummary {
  readonly id: string;
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly status: ArtifactStatus;
  readonly streamVersion: bigint;
  readonly draftRevision: number;
  readonly latestPublishedVersion: number;
  readonly contentType: string;
  readonly contentHash: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/**
 * Updates the list read model in the same transaction as the events it
 * reflects (an inline projection), so a list never lags its writes. The
 * unique (tenant, kind, name) index is what makes names unique per tenant.
 */
export async function projectArtifact(
  q: Queryable,
  tenantId: string,
  s: ArtifactState,
): Promise<void> {
  await q.query(
    `INSERT INTO transformation.artifacts (tenant_id, artifact_id, kind, name, status, stream_version, draft_revision,
       latest_published_version, content_type, content_hash, created_at, created_by, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (tenant_id, artifact_id) DO UPDATE SET status = EXCLUDED.status,
       stream_version = EXCLUDED.stream_version, draft_revision = EXCLUDED.draft_revision,
       latest_published_version = EXCLUDED.latest_published_version, content_type = EXCLUDED.content_type,
       content_hash = EXCLUDED.content_hash, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [
      tenantId,
      s.id,
      s.kind,
      s.name,
      s.status,
      s.streamVersion,
      s.draftRevision,
      latestPublishedVersion(s),
      s.contentType,
      s.contentHash,
      s.createdAt,
      s.createdBy,
      s.updatedAt,
      s.updatedBy,
    ],
  );
}

interface SummaryRow {
  artifact_id: string;
  kind: ArtifactKind;
  name: string;
  status: ArtifactStatus;
  stream_version: bigint;
  draft_revision: number;
  latest_published_version: number;
  content_type: string;
  content_hash: string;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

export function summaryFromRow(r: SummaryRow): ArtifactSummary {
  return {
    id: r.artifact_id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    streamVersion: BigInt(r.stream_version),
    draftRevision: r.draft_revision,
    latestPublishedVersion: r.latest_published_version,
    contentType: r.content_type,
    contentHash: r.content_hash,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/** A page of the list, ordered by (kind, name, id); the cursor is the last row. */
export async function listArtifacts(
  q: Queryable,
  filter: {
    kind?: ArtifactKind | undefined;
    status?: ArtifactStatus | undefined;
    after?: { kind: string; name: string; id: string } | undefined;
    limit: number;
  },
): Promise<ArtifactSummary[]> {
  const { rows } = await q.query<SummaryRow>(
    `SELECT * FROM transformation.artifacts
     WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR (kind, name, artifact_id) > ($3, $4, $5::uuid))
     ORDER BY kind, name, artifact_id LIMIT $6`,
    [
      filter.kind ?? null,
      filter.status ?? null,
      filter.after?.kind ?? null,
      filter.after?.name ?? null,
      filter.after?.id ?? null,
      filter.limit,
    ],
  );
  return rows.map(summaryFromRow);
}

/** The summary of one artifact by id or by kind + name. */
export async function findArtifact(
  q: Queryable,
  by: { id: string } | { kind: ArtifactKind; name: string },
): Promise<ArtifactSummary | undefined> {
  const { rows } =
    'id' in by
      ? await q.query<SummaryRow>(`SELECT * FROM transformation.artifacts WHERE artifact_id = $1`, [
          by.id,
        ])
      : await q.query<SummaryRow>(
          `SELECT * FROM transformation.artifacts WHERE kind = $1 AND name = $2`,
          [by.kind, by.name],
        );
  return rows[0] ? summaryFromRow(rows[0]) : undefined;
}
