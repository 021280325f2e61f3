import { useEffect, useRef, useState } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ArtifactKind, ArtifactStatus, type Artifact } from '@ameide/proto';
import type { ProcessDefinition } from '@ameide/process-definition';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { importBpmnFile } from '../modeller/bpmn-files.js';

const STATUS: Record<ArtifactStatus, string> = {
  [ArtifactStatus.UNSPECIFIED]: '-',
  [ArtifactStatus.DRAFT]: 'draft',
  [ArtifactStatus.PUBLISHED]: 'published',
  [ArtifactStatus.ARCHIVED]: 'archived',
};

/** The tenant's process definitions; new, open, import BPMN. */
export function DefinitionListPage({
  client,
  go,
  onImported,
}: {
  client: AmeideClient;
  go: (to: string) => void;
  onImported: (d: ProcessDefinition, message: string) => void;
}) {
  const [artifacts, setArtifacts] = useState<Artifact[]>();
  const [error, setError] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    client.transformation
      .listArtifacts({ kind: ArtifactKind.PROCESS_DEFINITION, pageSize: 500 })
      .then((r) => live && setArtifacts(r.artifacts))
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [client]);

  async function importFile(file: File) {
    setError(undefined);
    const outcome = await importBpmnFile(client, file);
    if (outcome.definition) onImported(outcome.definition, outcome.message);
    else setError(outcome.message);
  }

  return (
    <main className="list-page">
      <div className="list-toolbar">
        <h1>Process definitions</h1>
        <button type="button" onClick={() => go('/new')}>
          New process
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import BPMN…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".bpmn,.xml,application/xml,text/xml"
          aria-label="Import BPMN file"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!artifacts && !error && <p aria-busy="true">Loading…</p>}
      {artifacts && artifacts.length === 0 && (
        <p>No process definitions yet. Draw one, or import a BPMN file.</p>
      )}
      {artifacts && artifacts.length > 0 && (
        <table className="artifacts">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Published</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((a) => (
              <tr key={a.id}>
                <td>
                  <a href={`#/definitions/${encodeURIComponent(a.id)}`}>{a.name}</a>
                </td>
                <td>{STATUS[a.status]}</td>
                <td>{a.latestPublishedVersion > 0 ? `v${a.latestPublishedVersion}` : '-'}</td>
                <td>{String(a.streamVersion)}</td>
                <td>{a.updatedAt ? timestampDate(a.updatedAt).toLocaleString() : ''}</td>
                <td>{a.updatedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
