import { useCallback, useEffect, useState } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Run } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { RUN_STATUS_LABEL } from './agent-format.js';

/** Agent runs of the tenant (AgentService/ListRuns), newest first, filtered by agent. */
export function AgentRunsPage({ client }: { client: AmeideClient }) {
  const [runs, setRuns] = useState<Run[]>();
  const [agent, setAgent] = useState('');
  const [error, setError] = useState<string>();

  const refresh = useCallback(() => {
    client.agents
      .listRuns({ agent: agent.trim(), pageSize: 200 })
      .then((r) => {
        setError(undefined);
        setRuns(r.runs);
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [client, agent]);
  useEffect(refresh, [refresh]);

  return (
    <main className="list-page">
      <h1>Agent runs</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Filter runs">
        <label>
          Agent
          <input value={agent} onChange={(e) => setAgent(e.target.value)} />
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {runs?.length === 0 && <p>No runs.</p>}
      <table className="artifacts" aria-label="Agent runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Agent</th>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">User</th>
            <th scope="col">Started</th>
            <th scope="col">Steps</th>
            <th scope="col">Tool calls</th>
            <th scope="col">Proposals</th>
          </tr>
        </thead>
        <tbody>
          {runs?.map((r) => (
            <tr key={r.runId} data-run={r.runId}>
              <td>
                <a href={`#/agents/runs/${encodeURIComponent(r.runId)}`}>{r.runId}</a>
              </td>
              <td>{r.agent}</td>
              <td>v{r.version}</td>
              <td data-testid="run-status">{RUN_STATUS_LABEL[r.status]}</td>
              <td>{r.userId}</td>
              <td>{r.startedAt ? timestampDate(r.startedAt).toLocaleString() : ''}</td>
              <td>{r.steps}</td>
              <td>{r.toolCalls.length}</td>
              <td>{r.proposalIds.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
