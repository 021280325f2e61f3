import type pg from 'pg';

/** How a pg {@link Database} prepares the statements of its transactions. */
export interface PreparedStatementOptions {
  /** Named statements one connection keeps at most; later new ones run unnamed. Default 256. */
  readonly maxPerConnection?: number;
  /** Distinct statement texts remembered at most. Default 4,096. */
  readonly maxTexts?: number;
}

/**
 * Gives the statements a database runs again and again a name, so that each
 * connection parses, analyses and plans them once instead of per execution
 * (node-postgres sends the Parse of a named statement once per connection).
 * For a statement like the unit of work's save-and-append CTE that is most
 * of what the server does for it. A text is named from its second use on,
 * and only while the connection has room, so one-off and generated texts
 * (a multi-row VALUES of varying length) cannot make either side grow
 * without bound.
 *
 * Postgres re-plans a prepared statement when the schema, `search_path` or
 * role it was planned for changed; it refuses only when the result columns
 * of the statement changed (`SELECT *` across a migration that adds a
 * column): that fails once, and the text then always runs unnamed.
 */
export interface StatementNames {
  /** The query for `sql` on `client`: named, or unnamed when not worth it or no room is left. */
  config(client: object, sql: string, values: unknown[]): pg.QueryConfig;
  /** `error` came from running `sql`; forgets a name Postgres can no longer use. */
  failed(sql: string, error: unknown): void;
}

/** See {@link StatementNames}. */
export function createStatementNames(options: PreparedStatementOptions = {}): StatementNames {
  const maxPerConnection = options.maxPerConnection ?? 256;
  const maxTexts = options.maxTexts ?? 4_096;
  // text -> name; '' seen once, null never to be named.
  const names = new Map<string, string | null>();
  const used = new WeakMap<object, Set<string>>();
  let next = 0;
  return {
    config(client, sql, values) {
      let name = names.get(sql);
      if (name === undefined) {
        if (names.size < maxTexts) names.set(sql, '');
        return { text: sql, values };
      }
      if (name === null) return { text: sql, values };
      if (name === '') {
        name = `ameide_${(next++).toString(36)}`;
        names.set(sql, name);
      }
      let onClient = used.get(client);
      if (!onClient) used.set(client, (onClient = new Set()));
      if (!onClient.has(name)) {
        if (onClient.size >= maxPerConnection) return { text: sql, values };
        onClient.add(name);
      }
      return { name, text: sql, values };
    },
    failed(sql, error) {
      const e = error as { code?: unknown; message?: unknown } | null;
      if (e?.code === '0A000' && String(e.message).includes('cached plan must not change result'))
        names.set(sql, null);
    },
  };
}
