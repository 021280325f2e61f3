import type { Queryable } from '@ameide/persistence';
import { readStream } from '../event-store/event-store.js';
import {
  evolve,
  stateFromSnapshot,
  stateToSnapshot,
  type ArtifactState,
} from './artifact-state.js';

/**
 * Loads an artifact's state as of `upTo` (latest when omitted): the newest
 * snapshot at or below it, then the events after the snapshot.
 * `useSnapshots: false` folds the whole stream (tests prove both agree).
 */
export async function loadArtifact(
  q: Queryable,
  artifactId: string,
  options: { upTo?: bigint; useSnapshots?: boolean } = {},
): Promise<ArtifactState | undefined> {
  let state: ArtifactState | undefined;
  if (options.useSnapshots !== false) {
    const { rows } = await q.query<{ state: Record<string, unknown>; content: Uint8Array | null }>(
      `SELECT state, content FROM transformation.snapshots
       WHERE stream_id = $1 AND ($2::bigint IS NULL OR stream_version <= $2)
       ORDER BY stream_version DESC LIMIT 1`,
      [artifactId, options.upTo ?? null],
    );
    if (rows[0]) state = stateFromSnapshot(rows[0].state, rows[0].content);
  }
  const events = await readStream(q, artifactId, {
    ...(state ? { after: state.streamVersion } : {}),
    ...(options.upTo !== undefined ? { upTo: options.upTo } : {}),
  });
  for (const e of events) state = evolve(state, e);
  return state;
}

/** Writes a snapshot of `state` at its stream version. */
export async function saveSnapshot(
  q: Queryable,
  tenantId: string,
  state: ArtifactState,
): Promise<void> {
  await q.query(
    `INSERT INTO transformation.snapshots (tenant_id, stream_id, stream_version, state, content)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [
      tenantId,
      state.id,
      state.streamVersion,
      JSON.stringify(stateToSnapshot(state)),
      state.content,
    ],
  );
}
