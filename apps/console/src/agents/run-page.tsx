import { useEffect, useState } from 'react';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Proposal, Run } from '@ameide/proto';
import type { AmeideClient } from '../api/platform-client.js';
import { describeError } from '../api/describe-error.js';
import {
  RUN_STATUS_LABEL,
  formatArguments,
  isSettling,
  stepsOf,
  toolCallOutcome,
} from './agent-format.js';
import { ProposalItem } from './proposal-item.js';

const when = (ts: Run['startedAt']) => (ts ? timestampDate(ts).toLocaleString() : '');

/**
 * One agent run (AgentService/GetRun): how it ended, its answer, its steps with every tool call,
 * and its proposals (ListProposals by run) with Approve / Reject while pending.
 */
export function AgentRunPage({ client, runId }: { client: AmeideClient; runId: string }) {
  const [run, setRun] = useState<Run>();
  const [proposals, setProposals] = useState<Proposal[]>([]);
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    Promise.all([
      client.agents.getRun({ runId }),
      client.agents.listProposals({ runId, pageSize: 200 }),
    ])
      .then(([r, p]) => {
        if (!live) return;
        setRun(r.run);
        setProposals(p.proposals);
      })
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [client, runId, tick]);

  // Follow a running run, and an approved proposal until its review applied it.
  useEffect(() => {
    if (!run || !isSettling(run.status, proposals)) return;
    const t = setTimeout(() => setTick((n) => n + 1), 1000);
    return () => clearTimeout(t);
  }, [run, proposals]);

  if (error)
    return (
      <main className="list-page">
        <p role="alert" className="error">
          {error}
        </p>
      </main>
    );
  if (!run)
    return (
      <main className="list-page" aria-busy="true">
        Loading…
      </main>
    );
  return (
    <main className="list-page">
      <h1>
        {run.agent} v{run.version}
      </h1>
      <p data-testid="run-status">
        <strong>{RUN_STATUS_LABEL[run.status]}</strong>
        {run.message ? ` · ${run.message}` : ''}
      </p>
      <p className="hint">
        {run.runId} · by {run.userId}
        {run.sandboxTenant ? ` · sandbox run in ${run.sandboxTenant}` : ''} · started{' '}
        {when(run.startedAt)}
        {run.endedAt ? ` · ended ${when(run.endedAt)}` : ''} · {run.steps} steps ·{' '}
        {run.inputTokens.toString()} tokens in, {run.outputTokens.toString()} out · trace{' '}
        <span className="mono">{run.traceId}</span>
      </p>
      <section aria-label="Answer">
        <h2>Answer</h2>
        {run.answer ? <p>{run.answer}</p> : <p className="hint">No answer.</p>}
      </section>
      <section aria-label="Steps">
        <h2>Steps and tool calls</h2>
        <table className="artifacts" aria-label="Tool calls">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Tool</th>
              <th scope="col">RPC</th>
              <th scope="col">Risk</th>
              <th scope="col">Arguments</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {stepsOf(run.steps, run.toolCalls).flatMap(({ step, calls }) =>
              calls.length === 0
                ? [
                    <tr key={`step-${step}`}>
                      <td>{step}</td>
                      <td colSpan={5} className="hint">
                        no tool call
                      </td>
                    </tr>,
                  ]
                : calls.map((c) => (
                    <tr key={c.callId || `${step}-${c.tool}`} data-tool-call={c.tool}>
                      <td>{step}</td>
                      <td>{c.tool}</td>
                      <td className="mono">{c.rpc}</td>
                      <td>{c.risk}</td>
                      <td className="mono">{formatArguments(c.arguments)}</td>
                      <td
                        className={
                          c.outcome === 'error' || c.outcome === 'malformed' ? 'error' : ''
                        }
                      >
                        {toolCallOutcome(c)}
                      </td>
                    </tr>
                  )),
            )}
          </tbody>
        </table>
      </section>
      <section aria-label="Proposals">
        <h2>Proposals</h2>
        {proposals.length === 0 && <p className="hint">None.</p>}
        <ul className="inbox">
          {proposals.map((p) => (
            <ProposalItem
              key={p.proposalId}
              client={client}
              proposal={p}
              onDecided={() => setTick((n) => n + 1)}
            />
          ))}
        </ul>
      </section>
    </main>
  );
}
