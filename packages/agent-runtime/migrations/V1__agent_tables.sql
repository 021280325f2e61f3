-- The Agent primitive keeps no state of its own between runs: only the audit
-- record of each run and the proposals its runs made, until they are decided
-- and applied. Both are tenant tables under FORCE RLS.

CREATE TABLE agents.runs (
  tenant_id     text        NOT NULL,
  run_id        uuid        NOT NULL,
  agent         text        NOT NULL,
  version       integer     NOT NULL,
  config_hash   text        NOT NULL,
  user_id       text        NOT NULL,
  trace_id      text        NOT NULL,
  status        text        NOT NULL,
  message       text        NOT NULL,
  answer        text        NOT NULL,
  steps         integer     NOT NULL,
  tool_calls    jsonb       NOT NULL,
  proposal_ids  jsonb       NOT NULL,
  input_tokens  bigint      NOT NULL,
  output_tokens bigint      NOT NULL,
  started_at    timestamptz NOT NULL,
  ended_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, run_id)
);
CREATE INDEX runs_list ON agents.runs (tenant_id, agent, started_at DESC);

CREATE TABLE agents.proposals (
  tenant_id          text        NOT NULL,
  proposal_id        uuid        NOT NULL,
  run_id             uuid        NOT NULL,
  agent              text        NOT NULL,
  agent_version      integer     NOT NULL,
  tool               text        NOT NULL,
  rpc                text        NOT NULL,
  arguments          jsonb       NOT NULL,
  rationale          text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'failed')),
  approver_group     text        NOT NULL,
  review_instance_id text        NOT NULL DEFAULT '',
  proposed_by        text        NOT NULL,
  decided_by         text        NOT NULL DEFAULT '',
  comment            text        NOT NULL DEFAULT '',
  result             jsonb,
  error              text        NOT NULL DEFAULT '',
  created_at         timestamptz NOT NULL,
  decided_at         timestamptz,
  PRIMARY KEY (tenant_id, proposal_id)
);
CREATE INDEX proposals_list ON agents.proposals (tenant_id, status, created_at DESC);
CREATE INDEX proposals_run ON agents.proposals (tenant_id, run_id);

SELECT ameide.enable_tenant_rls('agents.runs');
SELECT ameide.enable_tenant_rls('agents.proposals');
