import type { RequestContext } from '@ameide/context';
import { AmeideError, ErrorCode } from '@ameide/errors';
import { withTenant, type Database } from '@ameide/persistence';
import { proposalIdOf } from '../run/run-ids.js';
import type { AgentRunResult, ToolCallRecord } from '../run/run-types.js';
import type { NewProposal } from '../tools/tool-executor.js';

/** Lifecycle of a proposal, as stored. */
export const ProposalStatus = {
  Pending: 'pending',
  Approved: 'approved',
  Rejected: 'rejected',
  Applied: 'applied',
  Failed: 'failed',
} as const;
export type ProposalStatus = (typeof ProposalStatus)[keyof typeof ProposalStatus];

/** A stored proposal. */
export interface ProposalView extends Omit<NewProposal, 'sequence'> {
  readonly proposalId: string;
  readonly status: ProposalStatus;
  readonly reviewInstanceId: string;
  readonly proposedBy: string;
  readonly decidedBy: string;
  readonly comment: string;
  readonly result: Record<string, unknown> | undefined;
  readonly error: string;
  readonly createdAt: Date;
  readonly decidedAt: Date | undefined;
}

type Who = Pick<RequestContext, 'tenantId' | 'userId'>;

interface ProposalRow {
  proposal_id: string;
  run_id: string;
  agent: string;
  agent_version: number;
  tool: string;
  rpc: string;
  arguments: Record<string, unknown> | string;
  rationale: string;
  status: ProposalStatus;
  approver_group: string;
  review_instance_id: string;
  proposed_by: string;
  decided_by: string;
  comment: string;
  result: Record<string, unknown> | string | null;
  error: string;
  created_at: Date | string;
  decided_at: Date | string | null;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function proposalOf(r: ProposalRow): ProposalView {
  return {
    proposalId: r.proposal_id,
    runId: r.run_id,
    agent: r.agent,
    agentVersion: r.agent_version,
    tool: r.tool,
    rpc: r.rpc,
    arguments: json(r.arguments),
    rationale: r.rationale,
    approverGroup: r.approver_group,
    status: r.status,
    reviewInstanceId: r.review_instance_id,
    proposedBy: r.proposed_by,
    decidedBy: r.decided_by,
    comment: r.comment,
    result: r.result === null ? undefined : json(r.result),
    error: r.error,
    createdAt: new Date(r.created_at),
    decidedAt: r.decided_at === null ? undefined : new Date(r.decided_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(field: string, id: string): void {
  if (!UUID.test(id))
    throw AmeideError.invalidArgument(`${field} must be a UUID`, [
      { field, description: `"${id.slice(0, 60)}" is not a UUID` },
    ]);
}

const notFound = (id: string) =>
  new AmeideError(ErrorCode.NotFound, `no proposal ${id}`, {
    reason: 'PROPOSAL_NOT_FOUND',
    domain: 'ameide.agents',
  });

/**
 * Proposals and run audit records in the `agents` schema, every statement inside
 * `withTenant` (app role, the caller's tenant): another tenant's rows are invisible, so
 * another tenant's proposal id answers `not_found`.
 */
export function createAgentStore(db: Database) {
  return {
    /**
     * Records a proposal under the id its run and sequence name: recording it again (a run
     * repeated under the same run id) answers the stored one and changes nothing.
     */
    async createProposal(who: Who, p: NewProposal): Promise<ProposalView> {
      const id = proposalIdOf(p.runId, p.sequence);
      const rows = await withTenant(db, who, async (tx) => {
        const inserted = await tx.query<ProposalRow>(
          `INSERT INTO agents.proposals (tenant_id, proposal_id, run_id, agent, agent_version, tool, rpc,
             arguments, rationale, status, approver_group, proposed_by, created_at)
           VALUES (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, now())
           ON CONFLICT (tenant_id, proposal_id) DO NOTHING
           RETURNING *`,
          [
            id,
            p.runId,
            p.agent,
            p.agentVersion,
            p.tool,
            p.rpc,
            JSON.stringify(p.arguments),
            p.rationale.slice(0, 4000),
            p.approverGroup,
            who.userId,
          ],
        );
        if (inserted.rows[0]) return inserted;
        return tx.query<ProposalRow>('SELECT * FROM agents.proposals WHERE proposal_id = $1', [id]);
      });
      return proposalOf(rows.rows[0]!);
    },

    async getProposal(who: Who, id: string): Promise<ProposalView> {
      checkId('proposal_id', id);
      const r = await withTenant(db, who, (tx) =>
        tx.query<ProposalRow>('SELECT * FROM agents.proposals WHERE proposal_id = $1', [id]),
      );
      if (!r.rows[0]) throw notFound(id);
      return proposalOf(r.rows[0]);
    },

    async listProposals(
      who: Who,
      filter: { runId?: string; status?: ProposalStatus; proposalId?: string; limit?: number },
    ): Promise<ProposalView[]> {
      if (filter.runId) checkId('run_id', filter.runId);
      if (filter.proposalId) checkId('proposal_id', filter.proposalId);
      const r = await withTenant(db, who, (tx) =>
        tx.query<ProposalRow>(
          `SELECT * FROM agents.proposals
            WHERE ($1::uuid IS NULL OR run_id = $1) AND ($2::text IS NULL OR status = $2)
              AND ($3::uuid IS NULL OR proposal_id = $3)
            ORDER BY created_at DESC, proposal_id LIMIT $4`,
          [
            filter.runId ?? null,
            filter.status ?? null,
            filter.proposalId ?? null,
            Math.min(Math.max(filter.limit ?? 100, 1), 500),
          ],
        ),
      );
      return r.rows.map(proposalOf);
    },

    async setReviewInstance(who: Who, id: string, instanceId: string): Promise<void> {
      await withTenant(db, who, (tx) =>
        tx.query('UPDATE agents.proposals SET review_instance_id = $2 WHERE proposal_id = $1', [
          id,
          instanceId,
        ]),
      );
    },

    /**
     * Records a person's decision on a pending proposal. Deciding it the same way again is
     * a no-op (a retried call); deciding a decided proposal otherwise is `failed_precondition`.
     */
    async decide(who: Who, id: string, approve: boolean, comment: string): Promise<ProposalView> {
      checkId('proposal_id', id);
      return withTenant(db, who, async (tx) => {
        const cur = await tx.query<ProposalRow>(
          'SELECT * FROM agents.proposals WHERE proposal_id = $1 FOR UPDATE',
          [id],
        );
        const row = cur.rows[0];
        if (!row) throw notFound(id);
        const wanted: ProposalStatus = approve ? 'approved' : 'rejected';
        if (row.status !== 'pending') {
          const same =
            row.status === wanted ||
            (approve && (row.status === 'applied' || row.status === 'failed'));
          if (same) return proposalOf(row);
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `proposal ${id} is already ${row.status}`,
            {
              reason: 'PROPOSAL_DECIDED',
              domain: 'ameide.agents',
            },
          );
        }
        const r = await tx.query<ProposalRow>(
          `UPDATE agents.proposals SET status = $2, decided_by = $3, comment = $4, decided_at = now()
            WHERE proposal_id = $1 RETURNING *`,
          [id, wanted, who.userId, comment.slice(0, 2000)],
        );
        return proposalOf(r.rows[0]!);
      });
    },

    async markApplied(
      who: Who,
      id: string,
      result: Record<string, unknown>,
    ): Promise<ProposalView> {
      const r = await withTenant(db, who, (tx) =>
        tx.query<ProposalRow>(
          `UPDATE agents.proposals SET status = 'applied', result = $2, error = '' WHERE proposal_id = $1 RETURNING *`,
          [id, JSON.stringify(result)],
        ),
      );
      return proposalOf(r.rows[0]!);
    },

    async markFailed(who: Who, id: string, error: string): Promise<ProposalView> {
      const r = await withTenant(db, who, (tx) =>
        tx.query<ProposalRow>(
          `UPDATE agents.proposals SET status = 'failed', error = $2 WHERE proposal_id = $1 RETURNING *`,
          [id, error.slice(0, 2000)],
        ),
      );
      return proposalOf(r.rows[0]!);
    },

    async saveRun(who: Who, run: AgentRunResult): Promise<void> {
      await withTenant(db, who, (tx) =>
        tx.query(
          `INSERT INTO agents.runs (tenant_id, run_id, agent, version, config_hash, user_id, trace_id, status,
             message, answer, steps, tool_calls, proposal_ids, input_tokens, output_tokens, started_at, ended_at,
             sandbox_tenant)
           VALUES (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (tenant_id, run_id) DO NOTHING`,
          [
            run.runId,
            run.agent,
            run.version,
            run.configHash,
            run.userId,
            run.traceId,
            run.status,
            run.message,
            run.answer,
            run.steps,
            JSON.stringify(run.toolCalls),
            JSON.stringify(run.proposals),
            run.usage.inputTokens,
            run.usage.outputTokens,
            run.startedAt,
            run.endedAt,
            run.sandboxTenant ?? '',
          ],
        ),
      );
    },

    /** The recorded run, or undefined when no run with this id has ended. */
    async findRun(who: Who, runId: string): Promise<AgentRunResult | undefined> {
      checkId('run_id', runId);
      const r = await withTenant(db, who, (tx) =>
        tx.query<RunRow>('SELECT * FROM agents.runs WHERE run_id = $1', [runId]),
      );
      return r.rows[0] ? runOf(who.tenantId, r.rows[0]) : undefined;
    },

    async getRun(who: Who, runId: string): Promise<AgentRunResult> {
      checkId('run_id', runId);
      const r = await withTenant(db, who, (tx) =>
        tx.query<RunRow>('SELECT * FROM agents.runs WHERE run_id = $1', [runId]),
      );
      if (!r.rows[0])
        throw new AmeideError(ErrorCode.NotFound, `no run ${runId}`, {
          reason: 'RUN_NOT_FOUND',
          domain: 'ameide.agents',
        });
      return runOf(who.tenantId, r.rows[0]);
    },

    async listRuns(
      who: Who,
      filter: { agent?: string; limit?: number },
    ): Promise<AgentRunResult[]> {
      const r = await withTenant(db, who, (tx) =>
        tx.query<RunRow>(
          `SELECT * FROM agents.runs WHERE ($1::text IS NULL OR agent = $1) ORDER BY started_at DESC, run_id LIMIT $2`,
          [filter.agent ?? null, Math.min(Math.max(filter.limit ?? 50, 1), 500)],
        ),
      );
      return r.rows.map((row) => runOf(who.tenantId, row));
    },
  };
}

export type AgentStore = ReturnType<typeof createAgentStore>;

interface RunRow {
  run_id: string;
  agent: string;
  version: number;
  config_hash: string;
  user_id: string;
  trace_id: string;
  status: AgentRunResult['status'];
  message: string;
  answer: string;
  steps: number;
  tool_calls: ToolCallRecord[] | string;
  proposal_ids: string[] | string;
  input_tokens: string | number;
  output_tokens: string | number;
  started_at: Date | string;
  ended_at: Date | string;
  sandbox_tenant: string;
}

function runOf(tenantId: string, r: RunRow): AgentRunResult {
  return {
    runId: r.run_id,
    agent: r.agent,
    version: r.version,
    configHash: r.config_hash,
    tenantId,
    userId: r.user_id,
    traceId: r.trace_id,
    status: r.status,
    message: r.message,
    answer: r.answer,
    steps: r.steps,
    toolCalls: json(r.tool_calls),
    proposals: json(r.proposal_ids),
    usage: { inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens) },
    startedAt: new Date(r.started_at).toISOString(),
    endedAt: new Date(r.ended_at).toISOString(),
    ...(r.sandbox_tenant ? { sandboxTenant: r.sandbox_tenant } : {}),
  };
}
