import { useState } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Proposal } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import { PROPOSAL_STATUS_LABEL, formatArguments, isDecidable } from './agent-format.js';

/**
 * One proposal of an agent: what it would call with which arguments, its status and who decided
 * it; Approve / Reject (AgentService/DecideProposal, with an optional comment) while pending.
 * The service decides who may decide: its refusal is shown here and the proposal stays as it was.
 */
export function ProposalItem({
  client,
  proposal: p,
  showRun = false,
  onDecided,
}: {
  client: AmeideClient;
  proposal: Proposal;
  showRun?: boolean;
  onDecided: () => void;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await client.agents.decideProposal({ proposalId: p.proposalId, approve, comment });
      setComment('');
      onDecided();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="proposal" data-proposal={p.proposalId} aria-label={`Proposal ${p.proposalId}`}>
      <div>
        <strong>{p.tool}</strong> <span className="mono">{p.rpc}</span> ·{' '}
        <span data-testid="proposal-status">{PROPOSAL_STATUS_LABEL[p.status]}</span>
        {showRun && (
          <>
            {' '}
            · run{' '}
            <a href={`#/agents/runs/${encodeURIComponent(p.runId)}`}>
              {p.agent} v{p.agentVersion}
            </a>
          </>
        )}
      </div>
      <pre className="mono" aria-label="Arguments">
        {formatArguments(p.arguments)}
      </pre>
      <div className="hint">
        {p.proposalId} · proposed by {p.proposedBy}
        {p.createdAt ? ` at ${timestampDate(p.createdAt).toLocaleString()}` : ''} · approver group{' '}
        {p.approverGroup || '-'}
        {p.decidedBy ? ` · decided by ${p.decidedBy}` : ''}
        {p.comment ? ` (“${p.comment}”)` : ''}
        {p.reviewInstanceId && (
          <>
            {' '}
            · review{' '}
            <a href={`#/instances/${encodeURIComponent(p.reviewInstanceId)}`}>
              {p.reviewInstanceId}
            </a>
          </>
        )}
      </div>
      {p.rationale && <p>{p.rationale}</p>}
      {p.result && Object.keys(p.result).length > 0 && (
        <pre className="mono" aria-label="Result">
          {formatArguments(p.result)}
        </pre>
      )}
      {p.error && <p className="error">{p.error}</p>}
      {isDecidable(p.status) && (
        <div className="decision">
          <label>
            Comment <span className="hint">(optional)</span>
            <input value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void decide(true)}
          >
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => void decide(false)}>
            Reject
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </li>
  );
}
