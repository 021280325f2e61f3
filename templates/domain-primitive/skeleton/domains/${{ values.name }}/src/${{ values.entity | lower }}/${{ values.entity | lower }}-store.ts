import type { AggregateStore, SqlStatement } from '@ameide/events';
import type { ${{ values.entity }}, ${{ values.entity }}Status } from './${{ values.entity | lower }}.js';

/** A row of `${{ values.name }}.${{ values.entity | lower }}s`. */
export interface ${{ values.entity }}Row {
  id: string;
  title: string;
  status: ${{ values.entity }}Status;
  version: bigint;
  created_at: Date;
  updated_at: Date;
}

export const ${{ values.entity | upper }}_COLUMNS = 'id, title, status, version, created_at, updated_at';

export function ${{ values.entity | lower }}FromRow(row: ${{ values.entity }}Row): ${{ values.entity }} {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function save(id: string, item: ${{ values.entity }}, expected: bigint, next: bigint): SqlStatement {
  if (expected === 0n) {
    return {
      sql: `INSERT INTO ${{ values.name }}.${{ values.entity | lower }}s (tenant_id, id, title, status, version, created_at, updated_at)
            VALUES (current_setting('app.tenant_id'), $1, $2, $3, $4, $5, $6)
            ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`,
      params: [id, item.title, item.status, next, item.createdAt, item.updatedAt],
    };
  }
  return {
    sql: `UPDATE ${{ values.name }}.${{ values.entity | lower }}s SET title = $2, status = $3, version = $4, updated_at = $5
          WHERE id = $1 AND version = $6 RETURNING 1`,
    params: [id, item.title, item.status, next, item.updatedAt, expected],
  };
}

/** ${{ values.entity }} aggregates, one row each (the unit of work saves them with their events). */
export const ${{ values.entity | lower }}Store: AggregateStore<${{ values.entity }}> = {
  aggregateType: '${{ values.entity | lower }}',
  async load(tx, id) {
    const { rows } = await tx.query<${{ values.entity }}Row>(
      `SELECT ${${{ values.entity | upper }}_COLUMNS} FROM ${{ values.name }}.${{ values.entity | lower }}s WHERE id = $1`,
      [id],
    );
    return rows[0] ? { state: ${{ values.entity | lower }}FromRow(rows[0]), version: BigInt(rows[0].version) } : undefined;
  },
  async save(tx, id, item, expected, next) {
    const { sql, params } = save(id, item, expected, next);
    return (await tx.query(sql, params)).rowCount === 1;
  },
  saveStatement: save,
};
