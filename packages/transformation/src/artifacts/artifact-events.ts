import type { ArtifactKind } from './artifact-kind.js';

/**
 * Event types of an artifact stream (domain `transformation`, aggregate
 * `artifact`, the envelope's `<domain>.<aggregate>.<event>.v<n>`); the suffix
 * is the schema version.
 */
export const ArtifactEventType = {
  Created: 'transformation.artifact.created.v1',
  Revised: 'transformation.artifact.revised.v1',
  Published: 'transformation.artifact.published.v1',
  Archived: 'transformation.artifact.archived.v1',
  /** A sandbox run of the draft ended (agent definitions; see AgentService.RunSandbox). */
  SandboxRecorded: 'transformation.artifact.sandbox_recorded.v1',
} as const;
export type ArtifactEventType = (typeof ArtifactEventType)[keyof typeof ArtifactEventType];

/**
 * `data` of each event type: the JSON payload of the envelope the relay and
 * `EventService` carry. The content (or compiled plan) is the event's
 * attachment in the log, never published: read it with GetArtifact at the
 * event's stream version.
 */
export interface ArtifactCreatedData {
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly contentType: string;
  readonly contentHash: string;
}
export interface ArtifactRevisedData {
  readonly contentType: string;
  readonly contentHash: string;
}
export interface ArtifactPublishedData {
  readonly version: number;
  readonly contentHash: string;
  /** sha256 of the compiled ExecutionPlan (process definitions); the plan is the payload. */
  readonly planHash?: string;
  /** What the version refers to (`calls`, `processes`, `agents`, `hostCalls`), for the Graph. */
  readonly references?: Readonly<Record<string, readonly string[]>>;
}
export type ArtifactArchivedData = Record<string, never>;
/** How a sandbox run of the draft with this content ended. */
export interface ArtifactSandboxRecordedData {
  readonly contentHash: string;
  /** sha256 of the draft's compiled runtime config, as it ran. */
  readonly planHash: string;
  readonly runId: string;
  /** The run's status (`completed`, `failed`, `max_steps`, ...). */
  readonly status: string;
  readonly sandboxTenant: string;
  readonly toolCalls: number;
}

export type ArtifactEventData =
  | { readonly type: typeof ArtifactEventType.Created; readonly data: ArtifactCreatedData }
  | { readonly type: typeof ArtifactEventType.Revised; readonly data: ArtifactRevisedData }
  | { readonly type: typeof ArtifactEventType.Published; readonly data: ArtifactPublishedData }
  | { readonly type: typeof ArtifactEventType.Archived; readonly data: ArtifactArchivedData }
  | {
      readonly type: typeof ArtifactEventType.SandboxRecorded;
      readonly data: ArtifactSandboxRecordedData;
    };
