import { Writable } from 'node:stream';
import { createClient, createRouterTransport, type Interceptor } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromConnectError } from '@ameide/errors';
import { EventService } from '@ameide/proto';
import { createErrorMappingInterceptor, createLogger, requestContextKey } from '@ameide/server';
import {
  createUnitOfWork,
  eventServiceRoutes,
  formatPosition,
  pruneEventTables,
  type LogPosition,
} from '@ameide/events';
import { deposit, LEDGER } from '../testing/ledger.js';
import { openLedgerDatabase, type LedgerDatabase } from '../testing/ledger-fixture.js';

let ledger: LedgerDatabase;
beforeAll(async () => {
  ledger = await openLedgerDatabase('postgres', 'event_service', { ownServer: true });
});
afterAll(() => ledger.close());

/** A client of the service as `tenantId`, in process (the host's auth replaced by a fixed context). */
function clientFor(tenantId: string) {
  const asTenant: Interceptor = (next) => (req) => {
    req.contextValues.set(requestContextKey, {
      tenantId,
      orgId: tenantId,
      userId: 'u',
      groups: [],
      traceId: '0',
    });
    return next(req);
  };
  const logger = createLogger({
    primitive: { type: 'platform', name: 'test' },
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  return createClient(
    EventService,
    createRouterTransport(eventServiceRoutes({ db: ledger.db, domains: [LEDGER] }), {
      router: { interceptors: [createErrorMappingInterceptor({ logger }), asTenant] },
    }),
  );
}

async function tail(tenantId: string, afterPosition = ''): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of clientFor(tenantId).tailEvents({ domain: LEDGER, afterPosition }))
    ids.push(r.event!.eventId);
  return ids;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; reason: string }> {
  try {
    await p;
    return { code: 'ok', reason: '' };
  } catch (err) {
    const e = fromConnectError(err);
    return { code: e.code, reason: e.reason };
  }
}

describe('TailEvents after retention', () => {
  it('starts an empty after_position at the oldest retained event, refuses a pruned one with out_of_range, and judges each tenant by its own events', async () => {
    const uow = createUnitOfWork({ db: ledger.db, domain: 'ledger' });
    const a1 = await deposit(uow, 'acme', 'a', 1); // acme: 2 events
    const g1 = await deposit(uow, 'globex', 'g', 1); // globex: 2 events
    const a2 = await deposit(uow, 'acme', 'b', 1); // acme: 2 events
    const i1 = await deposit(uow, 'initech', 'i', 1); // initech: 2 events
    const { rows } = await ledger.db.query<{ event_id: string; tx: string; seq: bigint }>(
      `SELECT event_id, transaction_id::text AS tx, seq FROM ledger.outbox ORDER BY transaction_id, seq`,
    );
    const at = (eventId: string): LogPosition => {
      const r = rows.find((x) => x.event_id === eventId)!;
      return { transactionId: BigInt(r.tx), seq: BigInt(r.seq) };
    };
    // The first two commands' events are 8 days old; no relay or cursor: age only.
    const lastOld = at(g1.events[1]!.eventId);
    await ledger.db.query(
      `UPDATE ledger.outbox SET recorded_at = now() - interval '8 days'
        WHERE (transaction_id, seq) <= ($1::text::xid8, $2::bigint)`,
      [lastOld.transactionId.toString(), lastOld.seq],
    );
    expect(await pruneEventTables(ledger.db, { schema: LEDGER })).toMatchObject({
      outboxDeleted: 4,
    });
    const ids = (c: { events: readonly { eventId: string }[] }) => c.events.map((e) => e.eventId);

    // Empty position: from the oldest retained event.
    expect(await tail('acme')).toEqual(ids(a2));
    // A position inside the pruned part: refused, not silently skipped.
    const before = formatPosition(at(a1.events[0]!.eventId));
    expect(await failure(tail('acme', before))).toEqual({
      code: 'out_of_range',
      reason: 'EVENTS_PRUNED',
    });
    expect(await failure(tail('acme', '0:0'))).toMatchObject({ code: 'out_of_range' });
    // The last pruned event itself is a valid place to resume: nothing after it is gone.
    expect(await tail('acme', formatPosition(at(a1.events[1]!.eventId)))).toEqual(ids(a2));
    // Globex lost both its events: from its last one, nothing; from before it, refused.
    expect(await tail('globex', formatPosition(at(g1.events[1]!.eventId)))).toEqual([]);
    expect(await failure(tail('globex', before))).toMatchObject({ code: 'out_of_range' });
    // Initech lost nothing: an old position is fine, other tenants' pruning is not its concern.
    expect(await tail('initech', before)).toEqual(ids(i1));
    expect(await tail('initech', '0:0')).toEqual(ids(i1));
  });
});
