import { createHash } from 'node:crypto';
import { toBinary, type Message } from '@bufbuild/protobuf';
import type { GenMessage } from '@bufbuild/protobuf/codegenv2';
import type { HandlerContext } from '@connectrpc/connect';
import { AmeideError } from '@ameide/errors';
import { quoteIdentifier, type Database, type Transaction } from '@ameide/persistence';
import { asRelayRole, RELAY_ROLE } from '../schema/relay-role.js';
import { decodeReply, encodeReply } from './reply-codec.js';

/**
 * A command's idempotency: the caller's key (the `idempotency-key` header or a
 * field the command carries) and a fingerprint of the request it came with.
 */
export interface Idempotency {
  readonly key: string;
  /** sha-256 (hex) of the command name and the request. */
  readonly fingerprint: string;
}

/** Longest key accepted (Temporal activity keys are `<workflow id>/<node id>/<seq>`). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 512;

/** Default time a key is remembered: 7 days. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 7 * 24 * 3600 * 1000;

// C0 and C1 control characters, and NUL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The {@link Idempotency} of a command, or undefined when the caller sent no
 * key. `command` names the operation (`ameide.sales.v1.OrderService/CreateOrder`)
 * so one key cannot be replayed against another operation; `request` is the
 * request as bytes (e.g. its protobuf binary, which is deterministic). A key
 * that is too long or holds control characters is `invalid_argument`.
 */
export function idempotencyOf(input: {
  readonly key: string | null | undefined;
  readonly command: string;
  readonly request: Uint8Array | string;
  /** Where the key came from, for error messages (default the header's name). */
  readonly field?: string;
}): Idempotency | undefined {
  const { key } = input;
  if (key === null || key === undefined || key === '') return undefined;
  const field = input.field ?? 'idempotency-key';
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || CONTROL.test(key)) {
    throw AmeideError.invalidArgument(`${field} is not a valid idempotency key`, [
      {
        field,
        description: `at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, no control characters`,
      },
    ]);
  }
  const hash = createHash('sha256').update(input.command).update('\n').update(input.request);
  return { key, fingerprint: hash.digest('hex') };
}

/** What {@link claimIdempotencyKey} found. */
export type Claim =
  /** The key is new (or expired): run the command, then {@link recordReply}. */
  | { readonly kind: 'claimed' }
  /** The same request ran before: answer its reply, apply nothing. */
  | { readonly kind: 'replay'; readonly reply: unknown };

/**
 * Claims `idempotency.key` for the tenant inside the command's transaction. A
 * concurrent claim of the same key waits on this row until this transaction
 * ends, then sees the committed reply. Keys older than `retentionMs` count as
 * unused and are claimed anew. The same key with a different fingerprint is
 * `failed_precondition` naming the key.
 */
export async function claimIdempotencyKey(
  tx: Transaction,
  schema: string,
  tenantId: string,
  idempotency: Idempotency,
  now: Date,
  retentionMs: number,
): Promise<Claim> {
  const table = `${quoteIdentifier(schema, 'schema')}.idempotency_keys`;
  const expiredBefore = new Date(now.getTime() - retentionMs);
  // Inserts a new key, or takes over an expired one; returns nothing when a
  // live key exists (then it is read below).
  const claimed = await tx.query(
    `INSERT INTO ${table} AS k (tenant_id, key, fingerprint, reply, created_at)
     VALUES ($1, $2, $3, NULL, $4)
     ON CONFLICT (tenant_id, key) DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, reply = NULL, created_at = EXCLUDED.created_at
       WHERE k.created_at < $5
     RETURNING 1`,
    [tenantId, idempotency.key, idempotency.fingerprint, now, expiredBefore],
  );
  if (claimed.rowCount > 0) return { kind: 'claimed' };
  const { rows } = await tx.query<{ fingerprint: string; reply: unknown }>(
    `SELECT fingerprint, reply FROM ${table} WHERE tenant_id = $1 AND key = $2`,
    [tenantId, idempotency.key],
  );
  const row = rows[0];
  if (!row || row.reply === null) {
    // Cannot happen under READ COMMITTED (the conflicting row is committed); say so clearly.
    throw new AmeideError(
      'aborted',
      `idempotency key ${idempotency.key} is being used concurrently`,
      {
        reason: 'IDEMPOTENCY_KEY_BUSY',
        domain: 'ameide.events',
      },
    );
  }
  if (row.fingerprint !== idempotency.fingerprint) {
    throw new AmeideError(
      'failed_precondition',
      `idempotency key ${idempotency.key} was already used for a different request`,
      {
        reason: 'IDEMPOTENCY_KEY_REUSED',
        domain: 'ameide.events',
        fieldViolations: [
          {
            field: 'idempotency-key',
            description: `${idempotency.key} belongs to another request; use a new key per distinct request`,
          },
        ],
      },
    );
  }
  return { kind: 'replay', reply: decodeReply(row.reply as object) };
}

/** Stores the reply of a claimed key, in the command's transaction. */
export async function recordReply(
  tx: Transaction,
  schema: string,
  tenantId: string,
  key: string,
  reply: unknown,
): Promise<void> {
  await tx.query(
    `UPDATE ${quoteIdentifier(schema, 'schema')}.idempotency_keys SET reply = $3::jsonb
      WHERE tenant_id = $1 AND key = $2`,
    [tenantId, key, encodeReply(reply)],
  );
}

/**
 * Deletes keys older than `retentionMs` (default 7 days) across tenants, one
 * short relay-role transaction per batch; returns how many it deleted. A schema
 * without the idempotency table is left alone (0). Keep `retentionMs` at least
 * the unit of work's `idempotencyRetentionMs`, or keys go before they expire.
 */
export async function pruneIdempotencyKeys(
  db: Database,
  schema: string,
  options: {
    readonly now?: Date;
    readonly retentionMs?: number;
    readonly batchSize?: number;
    readonly maxBatches?: number;
    readonly relayRole?: string;
  } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(
    now.getTime() - (options.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS),
  );
  const batch = options.batchSize ?? 1000;
  const table = `${quoteIdentifier(schema, 'schema')}.idempotency_keys`;
  const role = asRelayRole(options.relayRole ?? RELAY_ROLE);
  let total = 0;
  for (let i = 0; i < (options.maxBatches ?? 1000); i++) {
    const deleted = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
        table,
      ]);
      if (rows[0]?.ok !== true) return 0;
      const r = await tx.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE created_at < $1 LIMIT $2)`,
        [before, batch],
      );
      return r.rowCount;
    }, role);
    total += deleted;
    if (deleted < batch) break;
  }
  return total;
}

/** Name of the header idempotent callers (e.g. process activities) send. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/**
 * The {@link Idempotency} of an RPC call: the `idempotency-key` header, and the
 * fingerprint of the method and its request in protobuf binary. Undefined when
 * the caller sent no key.
 */
export function idempotencyOfCall<I extends Message>(
  ctx: Pick<HandlerContext, 'requestHeader' | 'method' | 'service'>,
  request: I,
): Idempotency | undefined {
  const key = ctx.requestHeader.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return undefined;
  return idempotencyOf({
    key,
    command: `${ctx.service.typeName}/${ctx.method.name}`,
    // The method's input schema is the request's schema (connect-es types it as DescMessage).
    request: toBinary(ctx.method.input as GenMessage<I>, request),
  });
}
