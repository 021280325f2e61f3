import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ArtifactEventSchema,
  ArtifactKind as ProtoKind,
  ArtifactSchema,
  ArtifactStatus as ProtoStatus,
  type Artifact,
  type ArtifactEvent,
} from '@ameide/proto';
import { AmeideError } from '@ameide/errors';
import { formatPosition } from '@ameide/events';
import type { RecordedEvent } from '../event-store/event-store.js';
import type { ArtifactKind, ArtifactStatus } from '../artifacts/artifact-kind.js';
import {
  latestPublishedVersion,
  sandboxPassed,
  type ArtifactState,
  type PublishedVersionInfo,
} from '../artifacts/artifact-state.js';
import type { ArtifactSummary } from '../projections/artifact-list.js';

const kindToProto: Record<ArtifactKind, ProtoKind> = {
  process_definition: ProtoKind.PROCESS_DEFINITION,
  agent_definition: ProtoKind.AGENT_DEFINITION,
  extension_definition: ProtoKind.EXTENSION_DEFINITION,
  decision_definition: ProtoKind.DECISION_DEFINITION,
  document: ProtoKind.DOCUMENT,
  diagram: ProtoKind.DIAGRAM,
};
const statusToProto: Record<ArtifactStatus, ProtoStatus> = {
  draft: ProtoStatus.DRAFT,
  published: ProtoStatus.PUBLISHED,
  archived: ProtoStatus.ARCHIVED,
};

export function kindFromProto(
  kind: ProtoKind,
  field = 'kind',
  required = true,
): ArtifactKind | undefined {
  const found = (Object.entries(kindToProto) as [ArtifactKind, ProtoKind][]).find(
    ([, v]) => v === kind,
  );
  if (found) return found[0];
  if (!required && kind === ProtoKind.UNSPECIFIED) return undefined;
  throw AmeideError.invalidArgument(`${field} is required`, [
    {
      field,
      description: `one of ${Object.keys(kindToProto)
        .map((k) => `ARTIFACT_KIND_${k.toUpperCase()}`)
        .join(', ')}`,
    },
  ]);
}

export function statusFromProto(status: ProtoStatus): ArtifactStatus | undefined {
  const found = (Object.entries(statusToProto) as [ArtifactStatus, ProtoStatus][]).find(
    ([, v]) => v === status,
  );
  return found?.[0];
}

function publishedToProto(p: PublishedVersionInfo) {
  return {
    version: p.version,
    contentHash: p.contentHash,
    streamVersion: p.streamVersion,
    publishedAt: timestampFromDate(p.publishedAt),
    publishedBy: p.publishedBy,
    planHash: p.planHash ?? '',
  };
}

/** Full view of an artifact state (with content). */
export function artifactToProto(
  s: ArtifactState,
  publishedVersion?: PublishedVersionInfo,
  withContent = true,
): Artifact {
  return create(ArtifactSchema, {
    id: s.id,
    kind: kindToProto[s.kind],
    name: s.name,
    status: statusToProto[s.status],
    streamVersion: s.streamVersion,
    draftRevision: s.draftRevision,
    latestPublishedVersion: latestPublishedVersion(s),
    publishedVersion: publishedVersion?.version ?? 0,
    contentType: s.contentType,
    content: withContent ? s.content : new Uint8Array(),
    contentHash: s.contentHash,
    createdAt: timestampFromDate(s.createdAt),
    createdBy: s.createdBy,
    updatedAt: timestampFromDate(s.updatedAt),
    updatedBy: s.updatedBy,
    publishedVersions: s.published.map(publishedToProto),
    ...(s.sandbox
      ? {
          sandboxRun: {
            runId: s.sandbox.runId,
            status: s.sandbox.status,
            contentHash: s.sandbox.contentHash,
            planHash: s.sandbox.planHash,
            sandboxTenant: s.sandbox.sandboxTenant,
            toolCalls: s.sandbox.toolCalls,
            recordedAt: timestampFromDate(new Date(s.sandbox.recordedAt)),
            recordedBy: s.sandbox.recordedBy,
            passed: sandboxPassed(s),
          },
        }
      : {}),
  });
}

/** List view (no content). */
export function summaryToProto(s: ArtifactSummary): Artifact {
  return create(ArtifactSchema, {
    id: s.id,
    kind: kindToProto[s.kind],
    name: s.name,
    status: statusToProto[s.status],
    streamVersion: s.streamVersion,
    draftRevision: s.draftRevision,
    latestPublishedVersion: s.latestPublishedVersion,
    contentType: s.contentType,
    contentHash: s.contentHash,
    createdAt: timestampFromDate(s.createdAt),
    createdBy: s.createdBy,
    updatedAt: timestampFromDate(s.updatedAt),
    updatedBy: s.updatedBy,
  });
}

export function eventToProto(e: RecordedEvent): ArtifactEvent {
  const data = e.data;
  return create(ArtifactEventSchema, {
    eventId: e.eventId,
    artifactId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    occurredAt: timestampFromDate(e.occurredAt),
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId ?? '',
    contentHash: typeof data['contentHash'] === 'string' ? data['contentHash'] : '',
    publishedVersion: typeof data['version'] === 'number' ? data['version'] : 0,
    position: formatPosition(e.position),
  });
}
