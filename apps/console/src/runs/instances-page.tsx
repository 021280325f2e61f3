import type { JsonObject } from '@bufbuild/protobuf';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { ArtifactKind, InstanceStatus, type Artifact, type ProcessInstance } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';

export const STATUS_LABEL: Record<InstanceStatus, string> = {
  [InstanceStatus.UNSPECIFIED]: '-',
  [InstanceStatus.RUNNING]: 'running',
  [InstanceStatus.COMPLETED]: 'completed',
  [InstanceStatus.FAILED]: 'failed',
  [InstanceStatus.CANCELLED]: 'cancelled',
};

/** Start an instance of a published definition; list instances by definition, status, business key. */
export function InstancesPage({ client, go }: { client: AmeideClient; go: (to: string) => void }) {
  const [published, setPublished] = useState<Artifact[]>([]);
  const [instances, setInstances] = useState<ProcessInstance[]>();
  const [filter, setFilter] = useState({
    definitionName: '',
    status: InstanceStatus.UNSPECIFIED,
    businessKey: '',
  });
  const [error, setError] = useState<string>();
  const [start, setStart] = useState({ name: '', version: '', businessKey: '', variables: '{}' });

  useEffect(() => {
    client.transformation
      .listArtifacts({ kind: ArtifactKind.PROCESS_DEFINITION, pageSize: 500 })
      .then((r) => {
        const list = r.artifacts.filter((a) => a.latestPublishedVersion > 0);
        setPublished(list);
        setStart((s) => (s.name || !list[0] ? s : { ...s, name: list[0].name }));
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [client]);

  const refresh = useCallback(() => {
    client.process
      .listProcessInstances({ ...filter, pageSize: 200 })
      .then((r) => setInstances(r.instances))
      .catch((err: unknown) => setError(describeError(err)));
  }, [client, filter]);
  useEffect(refresh, [refresh]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    let variables: unknown;
    try {
      variables = JSON.parse(start.variables || '{}');
    } catch {
      return setError('Variables must be a JSON object');
    }
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
      return setError('Variables must be a JSON object');
    try {
      const r = await client.process.startProcess({
        definition: { case: 'definitionName', value: start.name },
        version: start.version ? Number(start.version) : 0,
        businessKey: start.businessKey,
        variables: variables as JsonObject,
      });
      go(`/instances/${encodeURIComponent(r.instanceId)}`);
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <main className="list-page">
      <h1>Process instances</h1>
      <form className="start-form" onSubmit={(e) => void submit(e)} aria-label="Start an instance">
        <h2>Start an instance</h2>
        <label>
          Definition
          <select
            value={start.name}
            onChange={(e) => setStart({ ...start, name: e.target.value })}
            required
          >
            {published.length === 0 && <option value="">(nothing published yet)</option>}
            {published.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name} (latest v{a.latestPublishedVersion})
              </option>
            ))}
          </select>
        </label>
        <label>
          Version <span className="hint">(empty = latest)</span>
          <input
            value={start.version}
            inputMode="numeric"
            onChange={(e) => setStart({ ...start, version: e.target.value })}
          />
        </label>
        <label>
          Business key
          <input
            value={start.businessKey}
            onChange={(e) => setStart({ ...start, businessKey: e.target.value })}
          />
        </label>
        <label>
          Input variables (JSON)
          <textarea
            className="mono"
            rows={3}
            value={start.variables}
            onChange={(e) => setStart({ ...start, variables: e.target.value })}
          />
        </label>
        <button type="submit" className="primary" disabled={!start.name}>
          Start
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Filter instances">
        <label>
          Definition
          <input
            value={filter.definitionName}
            onChange={(e) => setFilter({ ...filter, definitionName: e.target.value })}
          />
        </label>
        <label>
          Status
          <select
            value={filter.status}
            onChange={(e) =>
              setFilter({ ...filter, status: Number(e.target.value) as InstanceStatus })
            }
          >
            {Object.entries(STATUS_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {v === '0' ? 'any' : l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Business key
          <input
            value={filter.businessKey}
            onChange={(e) => setFilter({ ...filter, businessKey: e.target.value })}
          />
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <table className="artifacts">
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">Definition</th>
            <th scope="col">Status</th>
            <th scope="col">Business key</th>
            <th scope="col">Started</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {instances?.map((i) => (
            <tr key={i.instanceId}>
              <td>
                <a href={`#/instances/${encodeURIComponent(i.instanceId)}`}>{i.instanceId}</a>
              </td>
              <td>
                {i.definition?.name} v{i.definition?.version}
              </td>
              <td>{STATUS_LABEL[i.status]}</td>
              <td>{i.businessKey}</td>
              <td>{i.startedAt ? timestampDate(i.startedAt).toLocaleString() : ''}</td>
              <td>{i.startedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
