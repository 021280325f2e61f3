import { quoteIdentifier, type Transaction } from '@ameide/persistence';
import type {
  Change,
  ColumnType,
  ProjectionDefinition,
  ProjectionState,
  Row,
  RowValue,
  TableDefinition,
} from '../definition/projection-definition.js';
import { physicalTable, projectionSchema, type TableCopy } from '../schema/projection-schema.js';

/**
 * Turns handlers' changes into SQL on one copy of a projection's tables, and
 * reads its state for them. Values are converted by the declared column type
 * (bigint as text both ways, so no driver loses precision; jsonb as JSON), and
 * `tenant_id` is always the event's tenant: handlers never name it, and RLS
 * refuses any other.
 */
export interface TableAccess {
  state(tx: Transaction, tenantId: string): ProjectionState;
  apply(tx: Transaction, tenantId: string, changes: readonly Change[]): Promise<void>;
}

export function tableAccess(definition: ProjectionDefinition, copy: () => TableCopy): TableAccess {
  const schema = quoteIdentifier(projectionSchema(definition.name), 'schema');
  const tables = new Map(definition.tables.map((t) => [t.name, t]));
  const tableOf = (name: string): TableDefinition => {
    const t = tables.get(name);
    if (!t) throw new Error(`projection ${definition.name}: a handler named unknown table ${name}`);
    return t;
  };
  const target = (t: TableDefinition) =>
    `${schema}.${quoteIdentifier(physicalTable(t.name, copy()), 'table')}`;
  const columnOf = (t: TableDefinition, c: string): ColumnType => {
    const type = t.columns[c];
    if (!type) throw new Error(`projection ${definition.name}: table ${t.name} has no column ${c}`);
    return type;
  };
  const selectList = (t: TableDefinition) =>
    Object.entries(t.columns)
      .map(([c, type]) => {
        const q = quoteIdentifier(c, 'column');
        return type === 'bigint' ? `${q}::text AS ${q}` : q;
      })
      .join(', ');
  const where = (t: TableDefinition, key: Row, params: unknown[]) =>
    Object.entries(key)
      .map(([c, v]) => {
        if (v === null) return `${quoteIdentifier(columnOf(t, c) && c, 'column')} IS NULL`;
        params.push(toSql(columnOf(t, c), v));
        return `${quoteIdentifier(c, 'column')} = $${params.length}`;
      })
      .join(' AND ');
  const read = (t: TableDefinition, row: Record<string, unknown>): Row => {
    const out: Record<string, RowValue> = {};
    for (const [c, type] of Object.entries(t.columns)) out[c] = fromSql(type, row[c]);
    return out;
  };

  return {
    state(tx, tenantId) {
      return {
        async get(table, key) {
          const t = tableOf(table);
          const params: unknown[] = [tenantId];
          const { rows } = await tx.query<Record<string, unknown>>(
            `SELECT ${selectList(t)} FROM ${target(t)} WHERE tenant_id = $1 AND ${where(t, key, params)}`,
            params,
          );
          return rows[0] ? read(t, rows[0]) : undefined;
        },
        async find(table, match, limit = 1000) {
          const t = tableOf(table);
          const params: unknown[] = [tenantId];
          const filter = Object.keys(match).length ? ` AND ${where(t, match, params)}` : '';
          const order = t.primaryKey.map((c) => quoteIdentifier(c, 'column')).join(', ');
          const { rows } = await tx.query<Record<string, unknown>>(
            `SELECT ${selectList(t)} FROM ${target(t)} WHERE tenant_id = $1${filter} ORDER BY ${order} LIMIT ${Math.max(1, Math.floor(limit))}`,
            params,
          );
          return rows.map((r) => read(t, r));
        },
      };
    },

    async apply(tx, tenantId, changes) {
      for (const change of changes) {
        const t = tableOf(change.table);
        if (change.op === 'upsert') {
          const missing = t.primaryKey.filter((c) => change.row[c] === undefined);
          if (missing.length)
            throw new Error(
              `projection ${definition.name}: upsert into ${t.name} lacks key column ${missing.join(', ')}`,
            );
          const columns = Object.keys(change.row);
          const params: unknown[] = [
            tenantId,
            ...columns.map((c) => toSql(columnOf(t, c), change.row[c])),
          ];
          const names = columns.map((c) => quoteIdentifier(c, 'column'));
          const key = ['tenant_id', ...t.primaryKey].map((c) => quoteIdentifier(c, 'column'));
          const updates = names.filter((n, i) => !t.primaryKey.includes(columns[i]!));
          await tx.query(
            `INSERT INTO ${target(t)} (tenant_id, ${names.join(', ')}) VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
             ON CONFLICT (${key.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.map((n) => `${n} = excluded.${n}`).join(', ')}` : 'NOTHING'}`,
            params,
          );
        } else if (change.op === 'update') {
          const params: unknown[] = [tenantId];
          const sets = Object.entries(change.set).map(([c, v]) => {
            params.push(toSql(columnOf(t, c), v));
            return `${quoteIdentifier(c, 'column')} = $${params.length}`;
          });
          if (sets.length === 0) continue;
          await tx.query(
            `UPDATE ${target(t)} SET ${sets.join(', ')} WHERE tenant_id = $1 AND ${where(t, change.key, params)}`,
            params,
          );
        } else {
          const params: unknown[] = [tenantId];
          await tx.query(
            `DELETE FROM ${target(t)} WHERE tenant_id = $1 AND ${where(t, change.key, params)}`,
            params,
          );
        }
      }
    },
  };
}

function toSql(type: ColumnType, value: RowValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'jsonb':
      return JSON.stringify(value);
    case 'bigint':
      return typeof value === 'bigint' || typeof value === 'number' ? value.toString() : value;
    case 'timestamptz':
      return value instanceof Date ? value.toISOString() : value;
    default:
      return value;
  }
}

function fromSql(type: ColumnType, value: unknown): RowValue {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'bigint':
      return BigInt(value as string);
    case 'integer':
      return Number(value);
    case 'timestamptz':
      return value instanceof Date ? value : new Date(value as string);
    default:
      return value as RowValue;
  }
}
