import type { RecordedEvent } from '../event-store/event-store.js';
import {
  ArtifactEventType,
  type ArtifactCreatedData,
  type ArtifactPublishedData,
  type ArtifactRevisedData,
  type ArtifactSandboxRecordedData,
} from './artifact-events.js';
import { ArtifactStatus, type ArtifactKind } from './artifact-kind.js';

/** One published version of an artifact; immutable. */
export interface PublishedVersionInfo {
  readonly version: number;
  readonly contentHash: string;
  readonly streamVersion: bigint;
  readonly publishedAt: Date;
  readonly publishedBy: string;
  readonly planHash: string | undefined;
}

/** The state of an artifact after some prefix of its stream. */
export interface ArtifactState {
  readonly id: string;
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly status: ArtifactStatus;
  readonly streamVersion: bigint;
  readonly draftRevision: number;
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly contentHash: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  readonly published: readonly PublishedVersionInfo[];
  /** The latest sandbox run recorded on the artifact (agent definitions). */
  readonly sandbox?: SandboxRecord;
}

/** A sandbox run recorded on an artifact: which content ran, and how it ended. */
export interface SandboxRecord extends ArtifactSandboxRecordedData {
  /** ISO 8601. */
  readonly recordedAt: string;
  readonly recordedBy: string;
}

/** Whether the artifact's current content passed a sandbox run. */
export function sandboxPassed(state: ArtifactState): boolean {
  return state.sandbox?.contentHash === state.contentHash && state.sandbox.status === 'completed';
}

/**
 * Applies one event to the state (undefined before `created`). Pure: the same
 * events give the same state, with or without a snapshot in between.
 */
export function evolve(state: ArtifactState | undefined, event: RecordedEvent): ArtifactState {
  const touched = {
    streamVersion: event.streamVersion,
    updatedAt: event.occurredAt,
    updatedBy: event.actor,
  };
  switch (event.type) {
    case ArtifactEventType.Created: {
      const d = event.data as unknown as ArtifactCreatedData;
      return {
        id: event.streamId,
        kind: d.kind,
        name: d.name,
        status: ArtifactStatus.Draft,
        draftRevision: 0,
        contentType: d.contentType,
        content: event.payload ?? new Uint8Array(),
        contentHash: d.contentHash,
        createdAt: event.occurredAt,
        createdBy: event.actor,
        published: [],
        ...touched,
      };
    }
    case ArtifactEventType.Revised: {
      const s = required(state, event);
      const d = event.data as unknown as ArtifactRevisedData;
      return {
        ...s,
        ...touched,
        status: ArtifactStatus.Draft,
        draftRevision: s.draftRevision + 1,
        contentType: d.contentType,
        content: event.payload ?? new Uint8Array(),
        contentHash: d.contentHash,
      };
    }
    case ArtifactEventType.Published: {
      const s = required(state, event);
      const d = event.data as unknown as ArtifactPublishedData;
      return {
        ...s,
        ...touched,
        status: ArtifactStatus.Published,
        draftRevision: 0,
        published: [
          ...s.published,
          {
            version: d.version,
            contentHash: d.contentHash,
            streamVersion: event.streamVersion,
            publishedAt: event.occurredAt,
            publishedBy: event.actor,
            planHash: d.planHash,
          },
        ],
      };
    }
    case ArtifactEventType.Archived:
      return { ...required(state, event), ...touched, status: ArtifactStatus.Archived };
    case ArtifactEventType.SandboxRecorded: {
      const d = event.data as unknown as ArtifactSandboxRecordedData;
      return {
        ...required(state, event),
        ...touched,
        sandbox: {
          ...d,
          recordedAt: event.occurredAt.toISOString(),
          recordedBy: event.actor,
        },
      };
    }
    default:
      throw new Error(
        `artifact ${event.streamId}: unknown event type ${event.type} at version ${event.streamVersion}`,
      );
  }
}

function required(state: ArtifactState | undefined, event: RecordedEvent): ArtifactState {
  if (!state) throw new Error(`artifact ${event.streamId}: ${event.type} before created`);
  return state;
}

/** Highest published version number, 0 when never published. */
export function latestPublishedVersion(state: ArtifactState): number {
  return state.published.at(-1)?.version ?? 0;
}

/** JSON form of a state for snapshots (content stored beside it as bytea). */
export function stateToSnapshot(state: ArtifactState): Record<string, unknown> {
  const { content: _content, ...rest } = state;
  return {
    ...rest,
    streamVersion: rest.streamVersion.toString(),
    createdAt: rest.createdAt.toISOString(),
    updatedAt: rest.updatedAt.toISOString(),
    published: rest.published.map((p) => ({
      ...p,
      streamVersion: p.streamVersion.toString(),
      publishedAt: p.publishedAt.toISOString(),
    })),
  };
}

interface SnapshotJson {
  id: string;
  kind: ArtifactKind;
  name: string;
  status: ArtifactStatus;
  streamVersion: string;
  draftRevision: number;
  contentType: string;
  contentHash: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  published: {
    version: number;
    contentHash: string;
    streamVersion: string;
    publishedAt: string;
    publishedBy: string;
    planHash?: string;
  }[];
  sandbox?: SandboxRecord;
}

/** Inverse of {@link stateToSnapshot}. */
export function stateFromSnapshot(
  json: Record<string, unknown>,
  content: Uint8Array | null,
): ArtifactState {
  const j = json as unknown as SnapshotJson;
  return {
    ...j,
    streamVersion: BigInt(j.streamVersion),
    content: content ?? new Uint8Array(),
    createdAt: new Date(j.createdAt),
    updatedAt: new Date(j.updatedAt),
    published: j.published.map((p) => ({
      version: p.version,
      contentHash: p.contentHash,
      streamVersion: BigInt(p.streamVersion),
      publishedAt: new Date(p.publishedAt),
      publishedBy: p.publishedBy,
      planHash: p.planHash,
    })),
  };
}
