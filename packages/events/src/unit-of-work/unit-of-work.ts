import { setTimeout as sleep } from 'node:timers/promises';
import { AmeideError, isAmeideError } from '@ameide/errors';
import {
  withTenant,
  type Database,
  type Transaction,
  type WithTenantOptions,
} from '@ameide/persistence';
import {
  newEventId,
  parseEventType,
  type EventEnvelope,
  type JsonValue,
} from '../envelope/event-envelope.js';
import {
  claimIdempotencyKey,
  DEFAULT_IDEMPOTENCY_RETENTION_MS,
  recordReply,
  type Idempotency,
} from '../idempotency/idempotency-key.js';
import { outboxChannel } from '../outbox/outbox-channel.js';
import { appendToOutbox, outboxInsert, type SqlStatement } from '../outbox/outbox-rows.js';

/** An aggregate as stored: its state and how many events it has had. */
export interface LoadedAggregate<S> {
  readonly state: S;
  /** Number of events so far; the next event gets `version + 1`. */
  readonly version: bigint;
}

/**
 * Where one aggregate type keeps its state (its own table in the domain
 * schema). Both methods run inside the unit of work's tenant transaction.
 */
export interface AggregateStore<S> {
  /** E.g. `order`; part of every event's envelope and type. */
  readonly aggregateType: string;
  load(tx: Transaction, aggregateId: string): Promise<LoadedAggregate<S> | undefined>;
  /**
   * Inserts the aggregate (`expectedVersion` 0n) or updates it where its stored
   * version is still `expectedVersion`. Returns false when it is not (another
   * command got there first), which the unit of work turns into a conflict.
   */
  save(
    tx: Transaction,
    aggregateId: string,
    state: S,
    expectedVersion: bigint,
    newVersion: bigint,
  ): Promise<boolean>;
  /**
   * Optional: the same save as one `INSERT ... RETURNING 1` / `UPDATE ...
   * RETURNING 1` statement (parameters `$1..$n`, returning a row only when it
   * wrote). The unit of work then sends it together with the outbox insert in
   * one statement, saving a round trip per command.
   */
  saveStatement?(
    aggregateId: string,
    state: S,
    expectedVersion: bigint,
    newVersion: bigint,
  ): SqlStatement;
}

/** An event a command produces: its type (`sales.order.confirmed.v1`) and JSON payload. */
export interface NewEvent {
  readonly type: string;
  readonly payload: JsonValue;
}

/** What a command decided: the aggregate's next state and the events that explain it. */
export interface Decision<S> {
  readonly state: S;
  /** Empty: nothing changes and nothing is written. */
  readonly events: readonly NewEvent[];
}

/** Who a command runs for and as part of what. */
export interface CommandContext {
  readonly tenantId: string;
  /** Request or process that caused the command (trace id, workflow id, ...). */
  readonly correlationId: string;
  /** Id of the command or event that caused it directly. */
  readonly causationId?: string | undefined;
  /**
   * The caller's idempotency key and request fingerprint (see `idempotencyOf`).
   * Given: the first reply is stored with the change; the same key and request
   * again answer that reply and apply nothing; the same key with another
   * request is `failed_precondition`. Needs the schema's idempotency table
   * (`idempotencyTablesMigration`).
   */
  readonly idempotency?: Idempotency | undefined;
}

/** Options of {@link UnitOfWork.execute}. */
export interface ExecuteOptions {
  /**
   * Version the caller last read. Given: a different stored version is an
   * `aborted` conflict at once. Not given: a conflict with a concurrent command
   * re-runs the command on the fresh state (up to `maxConflictRetries`).
   */
  readonly expectedVersion?: bigint | undefined;
  /** Default 8. */
  readonly maxConflictRetries?: number;
}

/** What a committed command left behind. */
export interface Committed<S> {
  readonly state: S;
  readonly version: bigint;
  /** The events as written to the outbox (empty when the command changed nothing or was replayed). */
  readonly events: readonly EventEnvelope[];
  /** True when this is the stored reply of an earlier call with the same idempotency key. */
  readonly replayed: boolean;
}

/**
 * Decides a command: reads whatever else it needs through `tx` (same tenant
 * transaction), returns the next state and events, or throws an AmeideError
 * (nothing is written then).
 */
export type DecideFn<S> = (
  current: LoadedAggregate<S> | undefined,
  tx: Transaction,
) => Decision<S> | Promise<Decision<S>>;

/**
 * Runs commands of one domain: each in one tenant transaction that loads the
 * aggregate, decides, saves the state with optimistic concurrency on its
 * version and appends the events to the domain's outbox. State and events
 * commit together or not at all; nothing is published directly.
 */
export interface UnitOfWork {
  readonly domain: string;
  execute<S>(
    context: CommandContext,
    store: AggregateStore<S>,
    aggregateId: string,
    decide: DecideFn<S>,
    options?: ExecuteOptions,
  ): Promise<Committed<S>>;
  /** Runs a query in a tenant transaction (RLS shows only that tenant's rows). */
  read<R>(
    context: Pick<CommandContext, 'tenantId'>,
    fn: (tx: Transaction) => Promise<R>,
  ): Promise<R>;
}

/** Options of {@link createUnitOfWork}. */
export interface UnitOfWorkOptions {
  readonly db: Database;
  /** Domain name, the first part of every event type (`sales`). */
  readonly domain: string;
  /** Schema holding the outbox. Default: the domain name. */
  readonly schema?: string;
  readonly tenant?: WithTenantOptions;
  /** Clock for `occurred_at` and idempotency keys; default `new Date()`. */
  readonly now?: () => Date;
  /** How long an idempotency key is remembered (default 7 days); older keys are reusable. */
  readonly idempotencyRetentionMs?: number;
}

/** Creates the {@link UnitOfWork} of one domain. */
export function createUnitOfWork(options: UnitOfWorkOptions): UnitOfWork {
  const { db, domain } = options;
  const schema = options.schema ?? domain;
  const now = options.now ?? (() => new Date());
  const retentionMs = options.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
  const channel = outboxChannel(schema);

  const once = async <S>(
    context: CommandContext,
    store: AggregateStore<S>,
    aggregateId: string,
    decide: DecideFn<S>,
    expectedVersion: bigint | undefined,
  ): Promise<Committed<S>> =>
    withTenant(
      db,
      context,
      async (tx) => {
        const idempotency = context.idempotency;
        if (idempotency) {
          const claim = await claimIdempotencyKey(
            tx,
            schema,
            context.tenantId,
            idempotency,
            now(),
            retentionMs,
          );
          if (claim.kind === 'replay') {
            const reply = claim.reply as { state: S; version: bigint };
            return { state: reply.state, version: reply.version, events: [], replayed: true };
          }
        }
        const committed = await apply(tx, context, store, aggregateId, decide, expectedVersion);
        if (idempotency) {
          await recordReply(tx, schema, context.tenantId, idempotency.key, {
            state: committed.state,
            version: committed.version,
          });
        }
        return committed;
      },
      options.tenant,
    );

  const apply = async <S>(
    tx: Transaction,
    context: CommandContext,
    store: AggregateStore<S>,
    aggregateId: string,
    decide: DecideFn<S>,
    expectedVersion: bigint | undefined,
  ): Promise<Committed<S>> => {
    const current = await store.load(tx, aggregateId);
    const version = current?.version ?? 0n;
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw conflict(store.aggregateType, aggregateId, expectedVersion, version);
    }
    const decision = await decide(current, tx);
    if (decision.events.length === 0)
      return { state: decision.state, version, events: [], replayed: false };
    const occurredAt = now();
    const envelopes = decision.events.map((e, i): EventEnvelope => {
      const { version: schemaVersion } = parseEventType(e.type);
      if (!e.type.startsWith(`${domain}.${store.aggregateType}.`)) {
        throw new AmeideError(
          'internal',
          `event type ${e.type} does not start with ${domain}.${store.aggregateType}.`,
        );
      }
      return {
        eventId: newEventId(),
        tenantId: context.tenantId,
        domain,
        aggregateType: store.aggregateType,
        aggregateId,
        aggregateVersion: version + BigInt(i + 1),
        type: e.type,
        schemaVersion,
        occurredAt,
        correlationId: context.correlationId,
        causationId: context.causationId,
        payload: e.payload,
      };
    });
    const next = version + BigInt(envelopes.length);
    let saved: boolean;
    if (store.saveStatement) {
      // One statement: a data-modifying CTE runs to completion whether or
      // not the main query reads it; a failed version check rolls the
      // whole transaction back below.
      const save = store.saveStatement(aggregateId, decision.state, version, next);
      const insert = outboxInsert(schema, envelopes, save.params.length);
      // ON CONFLICT: when a concurrent command took these versions, the
      // save matches no row and the conflict is reported below instead
      // of a unique violation that would abort the transaction.
      const { rows } = await tx.query<{ saved: bigint; written: bigint }>(
        `WITH saved AS (${save.sql}), written AS (${insert.sql} ON CONFLICT DO NOTHING RETURNING 1)
             SELECT (SELECT count(*) FROM saved) AS saved, (SELECT count(*) FROM written) AS written`,
        [...save.params, ...insert.params],
      );
      saved = BigInt(rows[0]?.saved ?? 0n) === 1n;
      if (saved && BigInt(rows[0]?.written ?? 0n) !== BigInt(envelopes.length)) {
        throw new AmeideError(
          'internal',
          `outbox of ${store.aggregateType} ${aggregateId} already holds versions ${version + 1n}..${next}`,
        );
      }
    } else {
      saved = await store.save(tx, aggregateId, decision.state, version, next);
      if (saved) await appendToOutbox(tx, schema, envelopes);
    }
    if (!saved) {
      const reloaded = await store.load(tx, aggregateId);
      throw conflict(store.aggregateType, aggregateId, version, reloaded?.version ?? 0n);
    }
    // Wakes the relay once the transaction has committed.
    tx.notifyAfterCommit(channel);
    return { state: decision.state, version: next, events: envelopes, replayed: false };
  };

  return {
    domain,
    async execute(context, store, aggregateId, decide, executeOptions = {}) {
      const retries =
        executeOptions.expectedVersion === undefined ? (executeOptions.maxConflictRetries ?? 8) : 0;
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(context, store, aggregateId, decide, executeOptions.expectedVersion);
        } catch (error) {
          if (attempt < retries && isAmeideError(error) && error.reason === 'VERSION_CONFLICT') {
            // Jittered backoff, so commands racing on a hot aggregate spread out.
            await sleep(Math.random() * 2 ** attempt * 2);
            continue;
          }
          throw error;
        }
      }
    },
    read(context, fn) {
      return withTenant(db, context, fn, options.tenant);
    },
  };
}

function conflict(
  aggregateType: string,
  aggregateId: string,
  expected: bigint,
  actual: bigint,
): AmeideError {
  return AmeideError.versionConflict({
    subject: aggregateType,
    subjectId: aggregateId,
    expectedVersion: expected,
    actualVersion: actual,
  });
}
