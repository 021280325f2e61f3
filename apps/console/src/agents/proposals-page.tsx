import { useCallback, useEffect, useState } from 'react';
import { ProposalStatus, type Proposal } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { PROPOSAL_STATUS_LABEL } from './agent-format.js';
import { ProposalItem } from './proposal-item.js';

/** Agents' proposals of the tenant (AgentService/ListProposals), pending ones first by default. */
export function ProposalsPage({ client }: { client: AmeideClient }) {
  const [proposals, setProposals] = useState<Proposal[]>();
  const [status, setStatus] = useState<ProposalStatus>(ProposalStatus.PENDING);
  const [error, setError] = useState<string>();

  const refresh = useCallback(() => {
    client.agents
      .listProposals({ status, pageSize: 200 })
      .then((r) => {
        setError(undefined);
        setProposals(r.proposals);
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, [client, status]);
  useEffect(refresh, [refresh]);

  return (
    <main className="list-page">
      <h1>Proposals</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Filter proposals">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(Number(e.target.value))}>
            {Object.entries(PROPOSAL_STATUS_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {v === '0' ? 'any' : l}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {proposals?.length === 0 && <p>No proposals.</p>}
      <ul className="inbox" aria-label="Proposals">
        {proposals?.map((p) => (
          <ProposalItem
            key={p.proposalId}
            client={client}
            proposal={p}
            showRun
            onDecided={refresh}
          />
        ))}
      </ul>
    </main>
  );
}
