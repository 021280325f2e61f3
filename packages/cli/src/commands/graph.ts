import { create } from '@bufbuild/protobuf';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  Direction,
  GraphAtSchema,
  FindPathsResponseSchema,
  GetImpactResponseSchema,
  GetNeighboursResponseSchema,
  SearchNodesResponseSchema,
  type GraphAt,
  type GraphPath,
} from '@ameide/proto';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { printJson, printTable } from '../config/output.js';
import { positiveInt } from './token.js';

const jsonOption = () => new Option('--json', 'print the result as JSON');
const atOption = () =>
  new Option(
    '--at <artifact@version>',
    'the graph as it was right after this artifact version was published, e.g. order-to-cash@3',
  ).argParser(parseAt);

function parseAt(value: string): GraphAt {
  const m = /^(.+)@([1-9][0-9]*)$/.exec(value);
  if (!m)
    throw new InvalidArgumentError('expected <artifact name>@<version>, e.g. order-to-cash@3');
  return create(GraphAtSchema, { artifact: m[1]!, version: Number(m[2]) });
}

const pathText = (p: GraphPath | undefined) =>
  (p?.edges ?? []).map((e, i) => `${i === 0 ? e.from : ''} -${e.kind}-> ${e.to}`).join('');

const NODE_HELP =
  'a node id <kind>:<name>, e.g. process:order-to-cash, method:ameide.sales.v1.OrderService/CreateOrder, domain:sales';

/** `ameide graph neighbours|path|impact|search`: the read-only Graph, through GraphService. */
export function graphCommand(): Command {
  const graph = new Command('graph').description(
    "how the tenant's system fits together: processes → methods → domains → events → projections (read-only)",
  );

  withPlatformOptions(
    graph
      .command('neighbours')
      .alias('neighbors')
      .description('the edges of one node')
      .argument('<node>', NODE_HELP)
      .addOption(
        new Option('--direction <d>', 'which edges').choices(['out', 'in', 'both']).default('both'),
      )
      .option(
        '--kind <kind...>',
        'only these edge kinds (calls, served_by, emits, consumed_by, ...)',
      )
      .addOption(atOption())
      .addOption(jsonOption()),
  ).action(
    async (
      node: string,
      opts: { direction: string; kind?: string[]; at?: GraphAt; json?: boolean },
      cmd: Command,
    ) => {
      const res = await (
        await platformClient(cmd)
      ).graph.getNeighbours({
        nodeId: node,
        direction:
          opts.direction === 'out'
            ? Direction.OUT
            : opts.direction === 'in'
              ? Direction.IN
              : Direction.BOTH,
        edgeKinds: opts.kind ?? [],
        ...(opts.at ? { at: opts.at } : {}),
      });
      if (opts.json) return printJson(GetNeighboursResponseSchema, res);
      printTable(
        ['FROM', 'EDGE', 'TO'],
        res.edges.map((e) => [e.from, e.kind, e.to]),
      );
    },
  );

  withPlatformOptions(
    graph
      .command('path')
      .description('directed paths from one node to another, shortest first')
      .argument('<from>', NODE_HELP)
      .argument('<to>', NODE_HELP)
      .option('--max-depth <n>', 'longest path in edges (default 6, at most 12)', positiveInt)
      .option('--max-paths <n>', 'how many paths (default 10, at most 100)', positiveInt)
      .addOption(atOption())
      .addOption(jsonOption()),
  ).action(
    async (
      from: string,
      to: string,
      opts: { maxDepth?: number; maxPaths?: number; at?: GraphAt; json?: boolean },
      cmd: Command,
    ) => {
      const res = await (
        await platformClient(cmd)
      ).graph.findPaths({
        from,
        to,
        maxDepth: opts.maxDepth ?? 0,
        maxPaths: opts.maxPaths ?? 0,
        ...(opts.at ? { at: opts.at } : {}),
      });
      if (opts.json) return printJson(FindPathsResponseSchema, res);
      if (res.paths.length === 0) process.stdout.write(`no path from ${from} to ${to}\n`);
      for (const p of res.paths) process.stdout.write(`${pathText(p)}\n`);
    },
  );

  withPlatformOptions(
    graph
      .command('impact')
      .description('what depends on a node, transitively: what breaks if it changes')
      .argument('<node>', NODE_HELP)
      .option(
        '--max-depth <n>',
        'how far to follow dependents (default 6, at most 12)',
        positiveInt,
      )
      .addOption(atOption())
      .addOption(jsonOption())
      .addHelpText(
        'after',
        '\nExample:\n  npx ameide graph impact method:ameide.sales.v1.OrderService/ConfirmOrder',
      ),
  ).action(
    async (
      node: string,
      opts: { maxDepth?: number; at?: GraphAt; json?: boolean },
      cmd: Command,
    ) => {
      const res = await (
        await platformClient(cmd)
      ).graph.getImpact({
        nodeId: node,
        maxDepth: opts.maxDepth ?? 0,
        ...(opts.at ? { at: opts.at } : {}),
      });
      if (opts.json) return printJson(GetImpactResponseSchema, res);
      if (res.impacted.length === 0) process.stdout.write(`nothing depends on ${node}\n`);
      else
        printTable(
          ['DEPENDENT', 'DEPTH', 'VIA'],
          res.impacted.map((i) => [i.node!.id, String(i.depth), pathText(i.path)]),
        );
    },
  );

  withPlatformOptions(
    graph
      .command('search')
      .description('nodes by name and kind')
      .argument('[query]', 'case-insensitive part of the name', '')
      .option('--kind <kind>', 'process, extension, agent, method, domain, event or projection')
      .option('--limit <n>', 'at most this many (default 50, at most 500)', positiveInt)
      .addOption(atOption())
      .addOption(jsonOption()),
  ).action(
    async (
      query: string,
      opts: { kind?: string; limit?: number; at?: GraphAt; json?: boolean },
      cmd: Command,
    ) => {
      const res = await (
        await platformClient(cmd)
      ).graph.searchNodes({
        query,
        kind: opts.kind ?? '',
        limit: opts.limit ?? 0,
        ...(opts.at ? { at: opts.at } : {}),
      });
      if (opts.json) return printJson(SearchNodesResponseSchema, res);
      printTable(
        ['NODE', 'KIND', 'ATTRIBUTES'],
        res.nodes.map((n) => [
          n.id,
          n.kind,
          Object.entries(n.attributes)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        ]),
      );
    },
  );
  return graph;
}
