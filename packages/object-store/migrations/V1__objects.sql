-- Content-addressed objects of the database object store: one row per tenant and sha256.
-- A tenant table under FORCE RLS, so a tenant never reads another tenant's row, even by hash.

CREATE TABLE object_store.objects (
  tenant_id     text        NOT NULL,
  hash          text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  size          bigint      NOT NULL CHECK (size >= 0),
  content_type  text        NOT NULL,
  bytes         bytea       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, hash)
);

SELECT ameide.enable_tenant_rls('object_store.objects');
