import { useEffect, useState } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { ArtifactEvent } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';

const LABEL: Record<string, string> = {
  'transformation.artifact.created.v1': 'created',
  'transformation.artifact.revised.v1': 'saved',
  'transformation.artifact.published.v1': 'published',
  'transformation.artifact.archived.v1': 'archived',
};

/** The artifact's history, newest first; choosing an entry opens that version read-only. */
export function HistoryPanel({
  client,
  artifactId,
  refreshKey,
  viewing,
  onView,
}: {
  client: AmeideClient;
  artifactId: string;
  refreshKey: bigint;
  viewing: bigint | undefined;
  onView: (streamVersion: bigint) => void;
}) {
  const [events, setEvents] = useState<ArtifactEvent[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    client.transformation
      .getArtifactHistory({ artifactId })
      .then((r) => live && setEvents([...r.events].reverse()))
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [client, artifactId, refreshKey]);
  return (
    <section className="history" aria-label="History">
      <h2>History</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ol>
        {events?.map((e) => (
          <li key={e.eventId}>
            <button
              type="button"
              aria-pressed={viewing === e.streamVersion}
              onClick={() => onView(e.streamVersion)}
              data-stream-version={String(e.streamVersion)}
            >
              <strong>v{String(e.streamVersion)}</strong> {LABEL[e.type] ?? e.type}
              {e.publishedVersion > 0 ? ` (published v${e.publishedVersion})` : ''} · {e.actor} ·{' '}
              {e.occurredAt ? timestampDate(e.occurredAt).toLocaleTimeString() : ''}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
