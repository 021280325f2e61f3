import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  asRelayRole,
  envelopeFromProto,
  formatPosition,
  listDeadLetters,
  LOG_START,
  parsePosition,
  readOutbox,
  requestReplay,
  type DeadLetter,
  type LoggedEvent,
  type LogPosition,
} from '@ameide/events';
import {
  createPgDatabase,
  createPgliteDatabase,
  quoteIdentifier,
  type Database,
} from '@ameide/persistence';
import { platformClient } from '../config/client.js';
import { resolveHome } from '../config/home.js';
import { printTable } from '../config/output.js';
import { positiveInt } from './token.js';
import { HEAVY_COMMANDS } from './descriptions.js';

// These commands talk to the database directly, not to the platform API: the
// outbox and the dead letters are operator data across tenants, read as the
// relay role (which may read every tenant's event rows and nothing else). No
// tenant-scoped RPC could serve them without handing a tenant platform
// privileges. The connection is the one `ameide dev` uses: --postgres-url /
// AMEIDE_POSTGRES_URL, else the embedded PGlite data in <home>/data (only while
// no `ameide dev` holds it: PGlite data has one writer).

interface DbOptions {
  postgresUrl?: string;
  home?: string;
}

function withDatabaseOptions(cmd: Command): Command {
  return cmd.option(
    '--postgres-url <url>',
    'Postgres of the platform (env AMEIDE_POSTGRES_URL; default: the embedded PGlite data in <home>/data)',
    process.env['AMEIDE_POSTGRES_URL'],
  );
}

async function openDatabase(cmd: Command): Promise<Database> {
  const opts = cmd.optsWithGlobals<DbOptions>();
  if (opts.postgresUrl) return createPgDatabase({ url: opts.postgresUrl, pool: { max: 2 } });
  const home = resolveHome(opts.home);
  const dataDir = join(home, 'data');
  try {
    await access(dataDir);
  } catch {
    throw new Error(
      `no embedded data in ${dataDir}; pass --postgres-url or run \`ameide dev\` once`,
    );
  }
  const pid = Number((await readFile(join(home, 'dev.pid'), 'utf8').catch(() => '')).trim());
  if (pid && isAlive(pid)) {
    throw new Error(
      `ameide dev (pid ${pid}) holds the embedded data in ${dataDir}; stop it or run it on Postgres (--postgres-url)`,
    );
  }
  return createPgliteDatabase({ dataDir });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withDatabase<T>(cmd: Command, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(cmd);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function schemaArg(value: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(value))
    throw new InvalidArgumentError('a lower-case SQL identifier, e.g. sales');
  return value;
}

function fromArg(value: string): 'start' | 'end' | LogPosition {
  if (value === 'start' || value === 'end') return value;
  try {
    return parsePosition(value, '--from');
  } catch {
    throw new InvalidArgumentError('start, end, or a position <transaction id>:<seq>');
  }
}

function printEvent(e: LoggedEvent, json: boolean): void {
  const v = e.envelope;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ position: formatPosition(e.position), ...v, aggregateVersion: v.aggregateVersion.toString(), occurredAt: v.occurredAt.toISOString() })}\n`,
    );
    return;
  }
  process.stdout.write(
    `${formatPosition(e.position)}  ${v.occurredAt.toISOString()}  ${v.tenantId}  ${v.type}  ${v.aggregateType}/${v.aggregateId}@${v.aggregateVersion}  ${v.eventId}  ${JSON.stringify(v.payload)}\n`,
  );
}

/** The newest position readers may have reached (all older transactions ended). */
async function endPosition(db: Database, schema: string): Promise<LogPosition> {
  const { rows } = await db.transaction(
    (tx) =>
      tx.query<{ tx: string; seq: bigint }>(
        `SELECT transaction_id::text AS tx, seq FROM ${quoteIdentifier(schema, 'schema')}.outbox
          WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY transaction_id DESC, seq DESC LIMIT 1`,
      ),
    asRelayRole(),
  );
  return rows[0] ? { transactionId: BigInt(rows[0].tx), seq: BigInt(rows[0].seq) } : LOG_START;
}

function printDeadLetters(letters: readonly DeadLetter[], json: boolean): void {
  if (json) {
    for (const d of letters) {
      process.stdout.write(
        `${JSON.stringify({ ...d, id: d.id.toString(), aggregateVersion: d.aggregateVersion?.toString(), createdAt: d.createdAt.toISOString() })}\n`,
      );
    }
    return;
  }
  if (letters.length === 0) {
    process.stdout.write('no dead letters\n');
    return;
  }
  printTable(
    ['ID', 'CONSUMER', 'STATUS', 'REASON', 'TENANT', 'EVENT', 'AGGREGATE', 'ATTEMPTS', 'ERROR'],
    letters.map((d) => [
      d.id.toString(),
      d.consumer,
      d.status,
      d.reason,
      d.tenantId ?? '-',
      d.type ?? '-',
      d.aggregateId ? `${d.aggregateType}/${d.aggregateId}@${d.aggregateVersion}` : '-',
      String(d.attempts),
      d.error.length > 60 ? `${d.error.slice(0, 59)}…` : d.error,
    ]),
  );
}

/**
 * `events tail` through the platform API: the caller's tenant only (RLS), and
 * it works while `ameide dev` holds the embedded data.
 */
async function tailThroughApi(
  opts: {
    domain: string;
    type?: string;
    from: 'start' | 'end' | LogPosition;
    follow: boolean;
    limit?: number;
    json?: boolean;
  },
  cmd: Command,
): Promise<void> {
  const client = await platformClient(cmd);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  let after = opts.from === 'start' || opts.from === 'end' ? '' : formatPosition(opts.from);
  if (opts.from === 'end') {
    for await (const r of client.events.tailEvents(
      { domain: opts.domain, follow: false },
      { signal: stop.signal },
    ))
      after = r.position;
  }
  let printed = 0;
  try {
    for await (const r of client.events.tailEvents(
      { domain: opts.domain, type: opts.type ?? '', afterPosition: after, follow: opts.follow },
      { signal: stop.signal },
    )) {
      const envelope = envelopeFromProto(r.event!);
      printEvent({ envelope, position: parsePosition(r.position) }, opts.json ?? false);
      if (opts.limit !== undefined && ++printed >= opts.limit) return;
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  }
}

/** `ameide events ...`: watch a domain's event log, inspect and replay dead letters. */
export function eventsCommand(): Command {
  const events = new Command('events').description(HEAVY_COMMANDS.events);

  withDatabaseOptions(
    events
      .command('tail')
      .description("print a domain's events in commit order, then follow new ones")
      .option('--domain <name>', 'domain whose outbox to read (its schema)', schemaArg, 'sales')
      .option(
        '--type <type>',
        'only events of this type, or of a prefix ending in "." or "*" (e.g. sales.order.*)',
      )
      .option('--tenant <id>', 'only events of this tenant')
      .option(
        '--from <where>',
        'start, end (default), or a position <transaction id>:<seq>',
        fromArg,
        'end',
      )
      .option('--no-follow', 'exit at the end of the log instead of waiting for new events')
      .option('-n, --limit <n>', 'stop after this many events', positiveInt)
      .option(
        '--direct',
        'read the database as the relay role (every tenant; needs --postgres-url or a stopped embedded platform) instead of the platform API (your tenant)',
      )
      .option(
        '--url <url>',
        'platform URL for the API mode (env AMEIDE_URL)',
        process.env['AMEIDE_URL'] ?? 'http://127.0.0.1:8080',
      )
      .option(
        '--token <jwt>',
        'bearer token for the API mode (env AMEIDE_TOKEN; default: the token saved by `ameide login`)',
      )
      .addOption(new Option('--json', 'one JSON object per line')),
  ).action(
    async (
      opts: {
        domain: string;
        type?: string;
        tenant?: string;
        from: 'start' | 'end' | LogPosition;
        follow: boolean;
        limit?: number;
        json?: boolean;
        direct?: boolean;
        postgresUrl?: string;
      },
      cmd: Command,
    ) => {
      if (!opts.direct && !opts.postgresUrl) return tailThroughApi(opts, cmd);
      const prefix = opts.type?.endsWith('*')
        ? opts.type.slice(0, -1)
        : opts.type?.endsWith('.')
          ? opts.type
          : undefined;
      const matches = (e: LoggedEvent): boolean =>
        (opts.tenant === undefined || e.envelope.tenantId === opts.tenant) &&
        (opts.type === undefined ||
          (prefix !== undefined
            ? e.envelope.type.startsWith(prefix)
            : e.envelope.type === opts.type));
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      await withDatabase(cmd, async (db) => {
        let position =
          opts.from === 'start'
            ? LOG_START
            : opts.from === 'end'
              ? await endPosition(db, opts.domain)
              : opts.from;
        let printed = 0;
        while (!stop.signal.aborted) {
          const batch = await db.transaction(
            (tx) => readOutbox(tx, opts.domain, opts.domain, position, 500),
            asRelayRole(),
          );
          for (const e of batch) {
            if (!matches(e)) continue;
            printEvent(e, opts.json ?? false);
            if (opts.limit !== undefined && ++printed >= opts.limit) return;
          }
          position = batch.at(-1)?.position ?? position;
          if (batch.length === 500) continue;
          if (!opts.follow) return;
          await sleep(250, undefined, { signal: stop.signal }).catch(() => undefined);
        }
      });
    },
  );

  const dead = events
    .command('dead-letters')
    .description('events consumers gave up on: list them, replay them after a fix');

  withDatabaseOptions(
    dead
      .command('list')
      .description("list a consumer schema's dead letters, oldest first")
      .requiredOption(
        '--schema <name>',
        'schema holding the consumer tables (the consuming primitive)',
        schemaArg,
      )
      .option('--consumer <name>', 'only this consumer')
      .addOption(
        new Option('--status <status>', 'open, replay, replayed or all')
          .choices(['open', 'replay', 'replayed', 'all'])
          .default('open'),
      )
      .option('-n, --limit <n>', 'at most this many', positiveInt, 100)
      .addOption(new Option('--json', 'one JSON object per line')),
  ).action(
    async (
      opts: { schema: string; consumer?: string; status: string; limit: number; json?: boolean },
      cmd: Command,
    ) => {
      const letters = await withDatabase(cmd, (db) =>
        listDeadLetters(
          { db, schema: opts.schema },
          {
            ...(opts.consumer ? { consumer: opts.consumer } : {}),
            ...(opts.status !== 'all' ? { status: opts.status as DeadLetter['status'] } : {}),
            limit: opts.limit,
          },
        ),
      );
      printDeadLetters(letters, opts.json ?? false);
    },
  );

  withDatabaseOptions(
    dead
      .command('replay')
      .description(
        'mark dead letters for replay; the running consumer replays them in aggregate order (with every open letter of the same aggregate)',
      )
      .argument('[ids...]', 'dead letter ids (from `list`)')
      .requiredOption('--schema <name>', 'schema holding the consumer tables', schemaArg)
      .option('--consumer <name>', 'replay every open letter of this consumer'),
  ).action(async (ids: string[], opts: { schema: string; consumer?: string }, cmd: Command) => {
    const parsed = ids.map((id) => {
      if (!/^\d{1,18}$/.test(id))
        throw new InvalidArgumentError(`dead letter id must be a number, got ${id}`);
      return BigInt(id);
    });
    const marked = await withDatabase(cmd, (db) =>
      requestReplay(
        { db, schema: opts.schema },
        {
          ...(parsed.length ? { ids: parsed } : {}),
          ...(opts.consumer ? { consumer: opts.consumer } : {}),
        },
      ),
    );
    process.stdout.write(
      marked.length === 0
        ? 'nothing to replay (no open letters match; rejected letters have no usable tenant and are never replayed)\n'
        : `marked ${marked.length} dead letter(s) for replay: ${marked.join(', ')}\nthe consumer replays them on its next cycles; check with \`ameide events dead-letters list --status all\`\n`,
    );
  });

  return events;
}
