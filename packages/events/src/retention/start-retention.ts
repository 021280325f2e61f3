import { setTimeout as sleep } from 'node:timers/promises';
import { AmeideError } from '@ameide/errors';
import type { Database } from '@ameide/persistence';
import { silentLogger, type EventsLogger } from '../logger.js';
import { formatPosition } from '../outbox/position.js';
import {
  checkPruneOptions,
  pruneEventTables,
  type PruneOptions,
  type PruneResult,
  type RequiredCheckpoints,
} from './prune-event-tables.js';

/** Default time between retention runs: 1 hour. */
export const DEFAULT_RETENTION_INTERVAL_MS = 3600 * 1000;

/** Options of {@link startRetention}. */
export interface RetentionOptions {
  /** An owner/admin connection that may SET ROLE to the relay role (a pool, or PGlite). */
  readonly db: Database;
  /** Domain schemas to prune, each with `eventRetentionMigration` applied. */
  readonly schemas: readonly string[];
  /** Time between the end of one run and the start of the next; the first run starts at once. Default 1 hour. */
  readonly intervalMs?: number;
  /** See {@link PruneOptions.outboxRetentionMs}. Default 7 days. */
  readonly outboxRetentionMs?: number;
  /** See {@link PruneOptions.inboxRetentionMs}. Default 7 days. */
  readonly inboxRetentionMs?: number;
  /** See {@link PruneOptions.idempotencyRetentionMs}. Default 7 days. */
  readonly idempotencyRetentionMs?: number;
  readonly batchSize?: number;
  readonly maxBatches?: number;
  /** Per schema: readers the outbox must not be pruned without (e.g. `{ sales: { relays: ['sales'] } }`). */
  readonly requiredCheckpoints?: Readonly<Record<string, RequiredCheckpoints>>;
  /** The clock retention ages are measured against. Default: the database's `now()`. */
  readonly now?: () => Date;
  readonly relayRole?: string;
  readonly logger?: EventsLogger;
  /** Called after each run with the result of every schema that was pruned (e.g. for metrics). */
  readonly onRun?: (results: readonly PruneResult[]) => void;
}

/** A running retention schedule. */
export interface Retention {
  /** Runs once now, after the run in progress if there is one. */
  runOnce(): Promise<readonly PruneResult[]>;
  /** Ends the schedule; resolves when the run in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Prunes the event tables of `schemas` ({@link pruneEventTables}) now and
 * then every `intervalMs` until `stop()`. Meant for whoever runs the relay or
 * the embedded platform (`ameide dev`). Runs never overlap; a failing run is
 * logged and retried on the next tick; each run logs what it deleted, and
 * warns when a required checkpoint is missing or a stalled/retired reader
 * keeps expired outbox rows. The timer does not keep the process alive.
 *
 * @throws AmeideError `invalid_argument` for bad options, before anything runs.
 */
export function startRetention(options: RetentionOptions): Retention {
  const intervalMs = options.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw AmeideError.invalidArgument('intervalMs must be a positive number of milliseconds', [
      { field: 'intervalMs', description: String(options.intervalMs) },
    ]);
  }
  checkPruneOptions(options);
  const logger = options.logger ?? silentLogger;
  const stopping = new AbortController();

  const optionsFor = (schema: string): PruneOptions => {
    const required = options.requiredCheckpoints?.[schema];
    return {
      schema,
      ...(options.outboxRetentionMs !== undefined && {
        outboxRetentionMs: options.outboxRetentionMs,
      }),
      ...(options.inboxRetentionMs !== undefined && { inboxRetentionMs: options.inboxRetentionMs }),
      ...(options.idempotencyRetentionMs !== undefined && {
        idempotencyRetentionMs: options.idempotencyRetentionMs,
      }),
      ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
      ...(options.maxBatches !== undefined && { maxBatches: options.maxBatches }),
      ...(required !== undefined && { requiredCheckpoints: required }),
      ...(options.now !== undefined && { now: options.now }),
      ...(options.relayRole !== undefined && { relayRole: options.relayRole }),
    };
  };

  const report = (r: PruneResult): void => {
    if (r.outboxDeleted > 0 || r.inboxDeleted > 0 || r.idempotencyKeysDeleted > 0) {
      logger.info(
        {
          schema: r.schema,
          outboxDeleted: r.outboxDeleted,
          inboxDeleted: r.inboxDeleted,
          idempotencyKeysDeleted: r.idempotencyKeysDeleted,
          ...(r.prunedThrough && { prunedThrough: formatPosition(r.prunedThrough) }),
        },
        'event retention pruned',
      );
    }
    if (r.outboxSkipped !== undefined) {
      logger.warn(
        { schema: r.schema, reason: r.outboxSkipped },
        'event retention left the outbox alone: a required checkpoint is missing',
      );
    }
    if (r.heldBackSince !== undefined && r.slowest) {
      logger.warn(
        {
          schema: r.schema,
          reader: `${r.slowest.kind} ${r.slowest.name}`,
          position: formatPosition(r.slowest.position),
          expiredSince: r.heldBackSince.toISOString(),
        },
        'event retention keeps expired outbox rows: a relay or consumer has not passed them (stalled, or retired: delete its progress row)',
      );
    }
  };

  const pruneAll = async (): Promise<readonly PruneResult[]> => {
    const results: PruneResult[] = [];
    for (const schema of options.schemas) {
      try {
        const result = await pruneEventTables(options.db, optionsFor(schema));
        results.push(result);
        report(result);
      } catch (error) {
        logger.error(
          { schema, err: error instanceof Error ? error.message : String(error) },
          'event retention failed; the next run retries',
        );
      }
    }
    options.onRun?.(results);
    return results;
  };

  let running: Promise<readonly PruneResult[]> = Promise.resolve([]);
  const runOnce = (): Promise<readonly PruneResult[]> => {
    running = running.catch(() => []).then(pruneAll);
    return running;
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await runOnce().catch(() => undefined);
      await sleep(intervalMs, undefined, { signal: stopping.signal, ref: false }).catch(
        () => undefined,
      );
    }
  })();

  return {
    runOnce,
    async stop() {
      stopping.abort();
      await loop;
      await running.catch(() => undefined);
    },
  };
}
