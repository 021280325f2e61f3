import type { Database } from '@ameide/persistence';

/** One broken invariant: which, and the rows that break it. */
export interface BrokenInvariant {
  readonly invariant: string;
  readonly rows: readonly Record<string, unknown>[];
}

// Each query returns the rows that break its invariant; it runs as the
// database owner, across tenants, in one statement (one snapshot).
const checks: Record<string, string> = {
  'every order total is the sum of its lines': `
    SELECT tenant_id, order_id::text, total_minor::text,
           (SELECT coalesce(sum((l->>'unitPriceMinor')::numeric * (l->>'quantity')::numeric), 0)
              FROM jsonb_array_elements(lines) l)::text AS lines_total
      FROM sales.orders
     WHERE total_minor::numeric <> (SELECT coalesce(sum((l->>'unitPriceMinor')::numeric * (l->>'quantity')::numeric), 0)
                                      FROM jsonb_array_elements(lines) l)`,
  'no order is paid more than its total': `
    SELECT tenant_id, order_id::text FROM sales.orders WHERE paid_minor > total_minor OR paid_minor < 0`,
  "each sales aggregate's outbox versions are 1..version without gaps": `
    WITH outbox AS (
      SELECT tenant_id, aggregate_type, aggregate_id, count(*) AS n,
             min(aggregate_version) AS first, max(aggregate_version) AS last
        FROM sales.outbox GROUP BY 1, 2, 3),
    aggregates AS (
      SELECT tenant_id, 'order' AS aggregate_type, order_id::text AS aggregate_id, version FROM sales.orders
      UNION ALL
      SELECT tenant_id, 'customer', customer_id::text, version FROM sales.customers)
    SELECT coalesce(a.tenant_id, o.tenant_id) AS tenant_id,
           coalesce(a.aggregate_type, o.aggregate_type) AS aggregate_type,
           coalesce(a.aggregate_id, o.aggregate_id) AS aggregate_id,
           a.version::text, o.n::text, o.first::text, o.last::text
      FROM aggregates a FULL JOIN outbox o
        ON (a.tenant_id, a.aggregate_type, a.aggregate_id) = (o.tenant_id, o.aggregate_type, o.aggregate_id)
     WHERE a.version IS NULL OR o.n IS NULL OR o.first <> 1 OR o.last <> o.n OR o.last <> a.version`,
  "each artifact stream's versions are 1..version, and the list shows that version": `
    WITH events AS (
      SELECT tenant_id, aggregate_id, count(*) AS n,
             min(aggregate_version) AS first, max(aggregate_version) AS last
        FROM transformation.outbox WHERE aggregate_type = 'artifact' GROUP BY 1, 2)
    SELECT coalesce(a.tenant_id, e.tenant_id) AS tenant_id,
           coalesce(a.artifact_id::text, e.aggregate_id) AS stream_id,
           e.n::text, e.first::text, e.last::text, a.stream_version::text AS listed
      FROM events e
      FULL JOIN transformation.artifacts a
        ON a.tenant_id = e.tenant_id AND a.artifact_id::text = e.aggregate_id
     WHERE e.n IS NULL OR e.first <> 1 OR e.last <> e.n OR a.stream_version IS DISTINCT FROM e.last`,
  'no stored name, email, SKU, reference or correlation id holds a control character': `
    SELECT 'customer' AS what, customer_id::text AS id FROM sales.customers
     WHERE name ~ '[[:cntrl:]]' OR email ~ '[[:cntrl:]]'
    UNION ALL
    SELECT 'order', order_id::text FROM sales.orders
     WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(lines) l WHERE l->>'sku' ~ '[[:cntrl:]]')
        OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(payment_references) r WHERE r ~ '[[:cntrl:]]')
        OR cancel_reason ~ '[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]'
    UNION ALL
    SELECT 'artifact', artifact_id::text FROM transformation.artifacts
     WHERE name ~ '[[:cntrl:]]' OR content_type ~ '[[:cntrl:]]'
    UNION ALL
    SELECT 'artifact event', event_id::text FROM transformation.outbox
     WHERE correlation_id ~ '[[:cntrl:]]'`,
};

/** Every invariant the data breaks (empty when the data is consistent). */
export async function brokenInvariants(db: Database): Promise<BrokenInvariant[]> {
  const broken: BrokenInvariant[] = [];
  for (const [invariant, sql] of Object.entries(checks)) {
    const { rows } = await db.query<Record<string, unknown>>(sql);
    if (rows.length > 0) broken.push({ invariant, rows: rows.slice(0, 5) });
  }
  return broken;
}

/** How much the run wrote, to show that the invariants were checked on real data. */
export async function writtenCounts(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, string>>(`
    SELECT (SELECT count(*) FROM sales.customers)::text AS customers,
           (SELECT count(*) FROM sales.orders)::text AS orders,
           (SELECT count(*) FROM sales.orders WHERE jsonb_array_length(lines) > 0)::text AS orders_with_lines,
           (SELECT count(*) FROM sales.outbox)::text AS outbox_events,
           (SELECT count(DISTINCT (tenant_id, aggregate_id)) FROM transformation.outbox)::text AS artifact_streams,
           (SELECT count(*) FROM transformation.outbox)::text AS artifact_events`);
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
}
