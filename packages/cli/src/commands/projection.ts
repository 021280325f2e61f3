import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import {
  GetProjectionStatusResponseSchema,
  ListProjectionsResponseSchema,
  type ProjectionStatus,
} from '@ameide/proto';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { formatTime, printJson, printTable } from '../config/output.js';
import { positiveInt } from './token.js';

const jsonOption = () => new Option('--json', 'print the result as JSON');

const seconds = (s: number) => (s === 0 ? '0s' : s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`);

function printStatus(p: ProjectionStatus): void {
  process.stdout.write(
    `${p.name}: ${p.state}, ${p.eventsApplied} events applied since start, ${p.eventsBehind} behind (${seconds(p.secondsBehind)}), ${p.deadLetters} dead letters\n`,
  );
  process.stdout.write(`  ${p.description}\n`);
  printTable(
    ['SOURCE', 'BEHIND', 'LAG', 'POSITION', 'EVENT TYPES'],
    p.sources.map((s) => [
      s.domain,
      String(s.eventsBehind),
      seconds(s.secondsBehind),
      s.position || '-',
      s.eventTypes.join(', '),
    ]),
  );
  process.stdout.write(
    `  tables: ${p.tables.join(', ')}\n  definition ${p.definitionHash.slice(0, 12)}\n`,
  );
  const r = p.lastRebuild;
  if (r?.state)
    process.stdout.write(
      `  last rebuild: ${r.state} from ${r.source}, ${r.eventsApplied} events, started ${formatTime(r.startedAt)}${r.finishedAt ? `, took ${seconds(r.durationSeconds)}` : ''}${r.error ? `: ${r.error}` : ''}\n`,
    );
}

/** `ameide projection list|status|rebuild`: the platform's read models, through ProjectionService. */
export function projectionCommand(): Command {
  const projection = new Command('projection').description(
    'read models built from events (order-to-cash, the Graph): status, lag and rebuilds',
  );

  withPlatformOptions(
    projection
      .command('list')
      .description('every projection with its state and lag')
      .addOption(jsonOption()),
  ).action(async (opts: { json?: boolean }, cmd: Command) => {
    const res = await (await platformClient(cmd)).projections.listProjections({});
    if (opts.json) return printJson(ListProjectionsResponseSchema, res);
    printTable(
      ['NAME', 'STATE', 'APPLIED', 'BEHIND', 'LAG', 'DEAD LETTERS', 'SOURCES'],
      res.projections.map((p) => [
        p.name,
        p.state,
        String(p.eventsApplied),
        String(p.eventsBehind),
        seconds(p.secondsBehind),
        String(p.deadLetters),
        p.sources.map((s) => s.domain).join(', '),
      ]),
    );
  });

  withPlatformOptions(
    projection
      .command('status')
      .description('one projection: lag per source domain, tables, last rebuild')
      .argument('<name>', 'e.g. order-to-cash, graph')
      .addOption(jsonOption()),
  ).action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
    const res = await (await platformClient(cmd)).projections.getProjectionStatus({ name });
    if (opts.json) return printJson(GetProjectionStatusResponseSchema, res);
    printStatus(res.status!);
  });

  withPlatformOptions(
    projection
      .command('rebuild')
      .description(
        'rebuild a projection from the event log into shadow tables (the current ones keep serving), then swap; needs a token with the platform-admin group',
      )
      .argument('<name>', 'e.g. order-to-cash, graph')
      .addOption(
        new Option('--source <source>', 'where to read the events from')
          .choices(['postgres', 'kafka'])
          .default('postgres'),
      )
      .option('--no-wait', 'return once the rebuild started')
      .option('--timeout <seconds>', 'how long to wait for the swap', positiveInt, 600)
      .addHelpText(
        'after',
        '\nExample:\n  npx ameide login --dev --tenant acme --user ops --groups platform-admin\n  npx ameide projection rebuild order-to-cash',
      ),
  ).action(
    async (
      name: string,
      opts: { source: string; wait: boolean; timeout: number },
      cmd: Command,
    ) => {
      const client = await platformClient(cmd);
      await client.projections.rebuildProjection({ name, source: opts.source });
      process.stderr.write(`rebuilding ${name} from ${opts.source}...\n`);
      if (!opts.wait) return;
      const deadline = Date.now() + opts.timeout * 1000;
      let last = -1n;
      for (;;) {
        const { status } = await client.projections.getProjectionStatus({ name });
        const r = status!.lastRebuild;
        if (r?.state === 'swapped') {
          process.stdout.write(
            `${name} rebuilt from ${r.source}: ${r.eventsApplied} events in ${seconds(r.durationSeconds)}, swapped in\n`,
          );
          return;
        }
        if (r?.state === 'failed') throw new Error(`rebuild of ${name} failed: ${r.error}`);
        if (r && r.eventsApplied !== last) {
          last = r.eventsApplied;
          process.stderr.write(`  ${r.eventsApplied} events applied\n`);
        }
        if (Date.now() > deadline)
          throw new Error(
            `rebuild of ${name} still running after ${opts.timeout}s; follow it with \`ameide projection status ${name}\``,
          );
        await sleep(500);
      }
    },
  );
  return projection;
}
