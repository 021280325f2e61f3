-- Event store of the Transformation Domain: one stream per artifact, a global
-- position that readers follow without skipping late commits, snapshots, and
-- the artifact list projection. Every table is a tenant table under FORCE RLS.

CREATE TABLE transformation.streams (
  tenant_id  text   NOT NULL,
  stream_id  uuid   NOT NULL,
  version    bigint NOT NULL CHECK (version > 0),
  PRIMARY KEY (tenant_id, stream_id)
);

CREATE TABLE transformation.events (
  -- Global position = (transaction_id, global_seq). Sequence values commit out
  -- of order; readers only read below the oldest running transaction
  -- (pg_snapshot_xmin) and order by the pair (see DESIGN.md §8).
  global_seq      bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id  xid8   NOT NULL DEFAULT pg_current_xact_id(),
  event_id        uuid   NOT NULL PRIMARY KEY,
  tenant_id       text   NOT NULL,
  stream_id       uuid   NOT NULL,
  stream_version  bigint NOT NULL CHECK (stream_version > 0),
  type            text   NOT NULL,
  schema_version  int    NOT NULL DEFAULT 1,
  data            jsonb  NOT NULL,
  -- Binary payload: the content for created/revised, the compiled plan for published.
  payload         bytea,
  actor           text   NOT NULL,
  correlation_id  text   NOT NULL,
  causation_id    text,
  occurred_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, stream_id, stream_version)
);
CREATE INDEX events_position ON transformation.events (transaction_id, global_seq);
CREATE INDEX events_tenant_position ON transformation.events (tenant_id, transaction_id, global_seq);

CREATE TABLE transformation.snapshots (
  tenant_id       text   NOT NULL,
  stream_id       uuid   NOT NULL,
  stream_version  bigint NOT NULL,
  state           jsonb  NOT NULL,
  content         bytea,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, stream_id, stream_version)
);

CREATE TABLE transformation.artifacts (
  tenant_id                 text   NOT NULL,
  artifact_id               uuid   NOT NULL,
  kind                      text   NOT NULL,
  name                      text   NOT NULL,
  status                    text   NOT NULL,
  stream_version            bigint NOT NULL,
  draft_revision            int    NOT NULL,
  latest_published_version  int    NOT NULL,
  content_type              text   NOT NULL,
  content_hash              text   NOT NULL,
  created_at                timestamptz NOT NULL,
  created_by                text   NOT NULL,
  updated_at                timestamptz NOT NULL,
  updated_by                text   NOT NULL,
  PRIMARY KEY (tenant_id, artifact_id),
  UNIQUE (tenant_id, kind, name)
);
CREATE INDEX artifacts_list ON transformation.artifacts (tenant_id, kind, status, name);

-- Tenant isolation: ENABLE + FORCE RLS, policy and grants for the app role
-- (the function comes with the platform schema, see @ameide/persistence).
SELECT ameide.enable_tenant_rls('transformation.streams');
SELECT ameide.enable_tenant_rls('transformation.events');
SELECT ameide.enable_tenant_rls('transformation.snapshots');
SELECT ameide.enable_tenant_rls('transformation.artifacts');
-- History is append-only, also for the app role; snapshots and the list
-- projection are rebuilt, never deleted by the app.
REVOKE UPDATE, DELETE ON transformation.events FROM ameide_app;
REVOKE DELETE ON transformation.snapshots, transformation.artifacts, transformation.streams FROM ameide_app;
