-- The ${{ values.name }} domain's state: one row per ${{ values.entity }} aggregate, a tenant table
-- under FORCE RLS. V2 (eventTablesMigration, in code) adds the outbox and the consumer tables,
-- V3 the idempotency keys. The next file of yours is V4__....

CREATE TABLE ${{ values.name }}.${{ values.entity | lower }}s (
  tenant_id   text        NOT NULL,
  id          uuid        NOT NULL,
  title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  status      text        NOT NULL CHECK (status IN ('active', 'archived')),
  version     bigint      NOT NULL CHECK (version > 0),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ${{ values.entity | lower }}s_list ON ${{ values.name }}.${{ values.entity | lower }}s (tenant_id, status, id);

SELECT ameide.enable_tenant_rls('${{ values.name }}.${{ values.entity | lower }}s');
-- Aggregates are archived, never deleted by the app.
REVOKE DELETE ON ${{ values.name }}.${{ values.entity | lower }}s FROM ameide_app;
