import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { EventService } from '@ameide/proto';
import { AmeideError } from '@ameide/errors';
import { withTenant, type Database } from '@ameide/persistence';
import { getRequestContext } from '@ameide/context';
import { envelopeToProto } from '../envelope/envelope-codec.js';
import { readOutbox, type LoggedEvent } from '../outbox/outbox-rows.js';
import { comparePositions, formatPosition, LOG_START, parsePosition } from '../outbox/position.js';
import { hasRetentionTables, readPrunedThrough } from '../retention/pruned-through.js';

export interface EventServiceOptions {
  readonly db: Database;
  /** Domains whose outbox may be read (each in the schema of its name). */
  readonly domains: readonly string[];
  /** Poll interval while following (default 250 ms). */
  readonly pollMs?: number;
}

/**
 * Serves `ameide.events.v1.EventService`: a tenant reads its own events of a
 * domain in commit order, through RLS under the app role, never anyone
 * else's.
 *
 * Retention (`pruneEventTables`) deletes the oldest events. An empty
 * `after_position` starts at the oldest event still retained. An
 * `after_position` before the last of the caller's events that were pruned,
 * or a follower that falls that far behind, gets `out_of_range` (reason
 * `EVENTS_PRUNED`, metadata `prunedThrough`) instead of silently missing
 * events; the caller restarts with an empty position. The check is per
 * tenant, so a tenant whose own events are all still there is never refused
 * because other tenants' events were pruned.
 */
export function eventServiceRoutes(options: EventServiceOptions) {
  const pollMs = options.pollMs ?? 250;
  return (router: ConnectRouter) =>
    router.service(EventService, {
      async *tailEvents(req, ctx: HandlerContext) {
        const { tenantId } = getRequestContext(ctx);
        if (!options.domains.includes(req.domain)) {
          throw AmeideError.invalidArgument(`unknown domain "${req.domain}"`, [
            { field: 'domain', description: `one of ${options.domains.join(', ')}` },
          ]);
        }
        const fromOldest = !req.afterPosition;
        let position = req.afterPosition
          ? parsePosition(req.afterPosition, 'after_position')
          : LOG_START;
        let started = false;
        let retention: boolean | undefined;
        const prefix = req.type.endsWith('*')
          ? req.type.slice(0, -1)
          : req.type.endsWith('.')
            ? req.type
            : undefined;
        const matches = (e: LoggedEvent) =>
          req.type === '' ||
          (prefix !== undefined
            ? e.envelope.type.startsWith(prefix)
            : e.envelope.type === req.type);
        while (!ctx.signal.aborted) {
          const from = position;
          const { batch, prunedThrough } = await withTenant(
            options.db,
            { tenantId },
            async (tx) => {
              const rows = await readOutbox(tx, req.domain, req.domain, from, 500);
              // Read after the rows: a prune that committed before the read shows here.
              retention ??= await hasRetentionTables(tx, req.domain);
              return {
                batch: rows,
                prunedThrough: retention ? await readPrunedThrough(tx, req.domain) : undefined,
              };
            },
          );
          if (prunedThrough && comparePositions(prunedThrough, from) > 0) {
            if (fromOldest && !started) {
              position = prunedThrough;
              continue;
            }
            throw new AmeideError(
              'out_of_range',
              `events of domain "${req.domain}" after ${formatPosition(from)} are no longer retained (pruned through ${formatPosition(prunedThrough)}); start again without after_position to read from the oldest retained event`,
              {
                reason: 'EVENTS_PRUNED',
                fieldViolations: [
                  {
                    field: 'after_position',
                    description: `older than the retained events (pruned through ${formatPosition(prunedThrough)})`,
                  },
                ],
                metadata: { prunedThrough: formatPosition(prunedThrough) },
              },
            );
          }
          started = true;
          for (const e of batch) {
            if (matches(e))
              yield { position: formatPosition(e.position), event: envelopeToProto(e.envelope) };
          }
          position = batch.at(-1)?.position ?? position;
          if (batch.length === 500) continue;
          if (!req.follow) return;
          await new Promise((resolve) => {
            const t = setTimeout(resolve, pollMs);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(t);
              resolve(undefined);
            });
          });
        }
      },
    });
}
