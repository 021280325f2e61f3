-- One event log: the artifact events move from transformation.events into
-- transformation.outbox, the events kit's log (version 2, eventTablesMigration;
-- version 3, eventHistoryMigration adds actor and attachment), which the relay,
-- the transports and EventService read like any domain's outbox.
--
-- Every event keeps its id, its position (transaction_id, seq = the old
-- global_seq, so positions clients hold stay valid and the order is the same),
-- its stream version (aggregate_version of aggregate 'artifact'), its data
-- (payload), its binary content (attachment), actor, correlation and time.
-- Types get the domain prefix of the envelope's convention:
-- artifact.created.v1 becomes transformation.artifact.created.v1.
-- The stream versions are the log's own (max aggregate_version per artifact),
-- so transformation.streams goes with transformation.events.

-- Both tables FORCE row level security with policies for the app role only: the
-- migration's owner role would see and write no row. Lift it for the copy.
ALTER TABLE transformation.events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE transformation.outbox NO FORCE ROW LEVEL SECURITY;

INSERT INTO transformation.outbox
  (seq, transaction_id, event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, type,
   schema_version, payload, correlation_id, causation_id, occurred_at, actor, attachment)
OVERRIDING SYSTEM VALUE
SELECT global_seq, transaction_id, event_id, tenant_id, 'artifact', stream_id::text, stream_version,
       'transformation.' || type, schema_version, data, correlation_id, causation_id, occurred_at,
       actor, payload
  FROM transformation.events
 ORDER BY transaction_id, global_seq;

-- New events continue after the copied sequence numbers.
SELECT setval(pg_get_serial_sequence('transformation.outbox', 'seq'), m)
  FROM (SELECT max(seq) AS m FROM transformation.outbox) copied
 WHERE m IS NOT NULL;

ALTER TABLE transformation.outbox FORCE ROW LEVEL SECURITY;

DROP TABLE transformation.events;
DROP TABLE transformation.streams;
