import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import { EventService } from '@ameide/proto';
import { AmeideError } from '@ameide/errors';
import { withTenant, type Database } from '@ameide/persistence';
import { getRequestContext } from '@ameide/server';
import { envelopeToProto } from '../envelope/envelope-codec.js';
import { readOutbox, type LoggedEvent } from '../outbox/outbox-rows.js';
import { formatPosition, LOG_START, parsePosition } from '../outbox/position.js';

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
        let position = req.afterPosition
          ? parsePosition(req.afterPosition, 'after_position')
          : LOG_START;
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
          const batch = await withTenant(options.db, { tenantId }, (tx) =>
            readOutbox(tx, req.domain, req.domain, position, 500),
          );
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
