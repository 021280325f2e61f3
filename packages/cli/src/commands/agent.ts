import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { compileAgentDefinition, lintAgentDefinition } from '@ameide/agent-definition';
import type { JsonObject } from '@bufbuild/protobuf';
import {
  ArtifactKind,
  ArtifactStatus,
  ProposalStatus,
  RunStatus,
  type Run,
  type RunAgentResponse,
} from '@ameide/proto';
import { isAmeideError, type AmeideClient } from '@ameide/sdk';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { formatTime, printTable } from '../config/output.js';
import { positiveInt } from './token.js';

// `ameide agent <subcommand>`: lint and compile AgentDefinition files offline; create,
// publish, run and list them on the platform; decide their proposals.

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      {
        cause: err,
      },
    );
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Creates the artifact, or revises its draft when one of the name exists. */
async function save(client: AmeideClient, file: string) {
  const definition = await readJson(file);
  const lint = lintAgentDefinition(definition);
  if (!lint.definition) {
    for (const v of lint.violations)
      process.stderr.write(`${file}: ${v.field}: ${v.description}\n`);
    throw new Error(
      `${file}: ${lint.violations.length} problem(s); see \`ameide agent lint ${file}\``,
    );
  }
  const name = lint.definition.name;
  const content = new TextEncoder().encode(`${JSON.stringify(definition, null, 2)}\n`);
  const existing = await client.transformation
    .getArtifact({ kind: ArtifactKind.AGENT_DEFINITION, name })
    .then(
      (r) => r.artifact,
      (err: unknown) => {
        if (isAmeideError(err) && err.code === 'not_found') return undefined;
        throw err;
      },
    );
  const artifact = existing
    ? (
        await client.transformation.reviseArtifact({
          artifactId: existing.id,
          expectedVersion: existing.streamVersion,
          content,
          contentType: 'application/json',
        })
      ).artifact!
    : (
        await client.transformation.createArtifact({
          kind: ArtifactKind.AGENT_DEFINITION,
          name,
          contentType: 'application/json',
          content,
        })
      ).artifact!;
  return { name, artifact, revised: existing !== undefined };
}

function lintCommand(): Command {
  return new Command('lint')
    .description(
      'check an AgentDefinition file (offline, against the proto module); exit 1 on problems',
    )
    .argument('<file>', 'definition file (.json)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action(async (file: string, o: { format: 'text' | 'json' }) => {
      const { violations } = lintAgentDefinition(await readJson(file));
      if (o.format === 'json')
        process.stdout.write(
          `${JSON.stringify(
            violations.map((v) => ({ file, ...v })),
            null,
            2,
          )}\n`,
        );
      else
        for (const v of violations) process.stdout.write(`${file}: ${v.field}: ${v.description}\n`);
      if (o.format === 'text') process.stderr.write(`${file}: ${violations.length} problem(s)\n`);
      if (violations.length) process.exitCode = 1;
    });
}

function compileCommand(): Command {
  return new Command('compile')
    .description(
      'compile an AgentDefinition into its pinned runtime config (canonical JSON), offline',
    )
    .argument('<file>', 'definition file (.json)')
    .action(async (file: string) => {
      const r = compileAgentDefinition(await readJson(file));
      if (!r.ok) {
        for (const v of r.violations)
          process.stderr.write(`${file}: ${v.field}: ${v.description}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${new TextDecoder().decode(r.bytes)}\n`);
      process.stderr.write(`${file}: compiled, config ${r.hash}\n`);
    });
}

function createCommand(): Command {
  return withPlatformOptions(
    new Command('create')
      .description(
        'create the AgentDefinition on the platform (or revise its draft), without publishing',
      )
      .argument('<file>', 'definition file (.json)'),
  ).action(async function (this: Command, file: string) {
    const { name, artifact, revised } = await save(await platformClient(this), file);
    process.stdout.write(
      `${revised ? 'revised' : 'created'} agent ${name} (artifact ${artifact.id}, draft ${artifact.draftRevision})\n`,
    );
  });
}

function publishCommand(): Command {
  return withPlatformOptions(
    new Command('publish')
      .description(
        'create or revise the AgentDefinition and publish it: compiled to a pinned, hashed runtime config',
      )
      .argument('<file>', 'definition file (.json)'),
  ).action(async function (this: Command, file: string) {
    const client = await platformClient(this);
    const { name, artifact } = await save(client, file);
    const published = (await client.transformation.publishArtifact({ artifactId: artifact.id }))
      .artifact!;
    const v = published.publishedVersions.find((p) => p.version === published.publishedVersion);
    process.stdout.write(
      `published agent ${name} version ${published.publishedVersion} (config ${v?.planHash ?? ''})\n`,
    );
  });
}

const statusName = (s: RunStatus) => RunStatus[s].toLowerCase();

function printRun(run: Run): void {
  process.stdout.write(
    `run ${run.runId}: ${statusName(run.status)}${run.message ? ` — ${run.message}` : ''}\n` +
      `  agent ${run.agent} v${run.version}, ${run.steps} step(s), ${run.toolCalls.length} tool call(s), ${run.inputTokens + run.outputTokens} tokens\n` +
      (run.answer ? `  answer: ${run.answer}\n` : '') +
      (run.proposalIds.length
        ? `  proposals: ${run.proposalIds.join(', ')} (decide with \`ameide agent decide <id> --approve\`)\n`
        : ''),
  );
}

/** Prints one event of a run as it comes (stderr), keeping the run's record when it ends. */
function printEvent(e: RunAgentResponse['event']): Run | undefined {
  if (e.case === 'step') process.stderr.write(`step ${e.value.step} (${e.value.node})\n`);
  else if (e.case === 'toolCall')
    process.stderr.write(
      `  ${e.value.risk} ${e.value.tool} ${JSON.stringify(e.value.arguments ?? {})} → ${e.value.outcome}${e.value.errorCode ? ` ${e.value.errorCode}` : ''}${e.value.proposalId ? ` ${e.value.proposalId}` : ''}\n`,
    );
  else if (e.case === 'malformed') process.stderr.write(`  malformed tool call: ${e.value}\n`);
  else if (e.case === 'text') process.stderr.write(`  says: ${e.value}\n`);
  else if (e.case === 'run') return e.value;
  return undefined;
}

/** The fixture calls of a sandbox run: a JSON array of `{ "rpc": ..., "request": {...} }`. */
async function readFixtures(file: string): Promise<{ rpc: string; request: JsonObject }[]> {
  const value = await readJson(file);
  const ok =
    Array.isArray(value) &&
    value.every(
      (f) =>
        f !== null &&
        typeof f === 'object' &&
        typeof (f as { rpc?: unknown }).rpc === 'string' &&
        ((f as { request?: unknown }).request === undefined ||
          typeof (f as { request?: unknown }).request === 'object'),
    );
  if (!ok)
    throw new Error(
      `${file}: fixtures are a JSON array of { "rpc": "package.Service/Method", "request": { ... } }`,
    );
  return (value as { rpc: string; request?: JsonObject }[]).map((f) => ({
    rpc: f.rpc,
    request: f.request ?? {},
  }));
}

function runCommand(): Command {
  return withPlatformOptions(
    new Command('run')
      .description(
        'run a published agent as you (AgentService.RunAgent): streams its steps, tool calls and proposals; ' +
          'with --sandbox, run its draft in a throwaway tenant instead and record the outcome on it',
      )
      .argument(
        '<name>',
        'AgentDefinition name (with --sandbox also a definition file: its draft is saved first)',
      )
      .requiredOption(
        '-i, --input <text>',
        "the task for the agent (with --sandbox, {{fixture.N.path}} stands for a value of fixture N's answer)",
      )
      .option('--version <n>', 'published version (default: the latest)', positiveInt)
      .option(
        '--sandbox',
        'run the draft in a throwaway tenant: read and act tools call it, proposals stay in it, and its rows are erased afterwards. ' +
          'A completed run lets a definition allowing act tools be published',
      )
      .option(
        '--fixtures <file>',
        'with --sandbox: JSON array of { "rpc", "request" } calls that seed the tenant first (e.g. examples/agents/fixtures/sales.json)',
      )
      .option('--json', 'print the run record as JSON at the end'),
  ).action(async function (
    this: Command,
    name: string,
    o: { input: string; version?: number; json?: boolean; sandbox?: boolean; fixtures?: string },
  ) {
    if (!o.sandbox && o.fixtures) throw new Error('--fixtures needs --sandbox');
    if (o.sandbox && o.version !== undefined)
      throw new Error('--sandbox runs the draft; it takes no --version');
    const client = await platformClient(this);
    let run: Run | undefined;
    if (o.sandbox) {
      const fixtures = o.fixtures ? await readFixtures(o.fixtures) : [];
      let agent = name;
      if (/\.json$/i.test(name)) {
        const saved = await save(client, name);
        agent = saved.name;
        process.stderr.write(
          `${saved.revised ? 'revised' : 'created'} the draft of agent ${agent} (artifact ${saved.artifact.id})\n`,
        );
      }
      process.stderr.write(
        `sandbox run of agent ${agent}'s draft${fixtures.length ? `, after ${fixtures.length} fixture call(s)` : ''}\n`,
      );
      for await (const r of client.agents.runSandbox({ agent, input: o.input, fixtures })) {
        const e = r.event;
        if (e.case === 'fixture')
          process.stderr.write(
            `fixture ${e.value.index} ${e.value.rpc} → ${JSON.stringify(e.value.response ?? {}).slice(0, 200)}\n`,
          );
        else if (e.case === 'agent') run = printEvent(e.value.event) ?? run;
      }
      if (!run) throw new Error('the sandbox run ended without its record');
    } else {
      for await (const r of client.agents.runAgent({
        agent: name,
        input: o.input,
        version: o.version ?? 0,
      }))
        run = printEvent(r.event) ?? run;
      if (!run) throw new Error('the run ended without its record');
    }
    if (o.json)
      process.stdout.write(
        `${JSON.stringify(run, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`,
      );
    else printRun(run);
    if (run.sandboxTenant)
      process.stdout.write(
        `  ran in sandbox tenant ${run.sandboxTenant} (erased); ${run.toolCalls.length} call(s) above are all it made\n` +
          (run.status === RunStatus.COMPLETED
            ? `  recorded on agent ${run.agent}: this draft may now be published\n`
            : `  recorded on agent ${run.agent}: a draft allowing act tools is not published until a sandbox run completes\n`),
      );
    if (run.status !== RunStatus.COMPLETED) process.exitCode = 1;
  });
}

function listCommand(): Command {
  return withPlatformOptions(
    new Command('list')
      .description("list the tenant's AgentDefinitions, or with --runs its latest runs")
      .option('--runs', 'list runs instead')
      .option('--agent <name>', "only this agent's runs"),
  ).action(async function (this: Command, o: { runs?: boolean; agent?: string }) {
    const client = await platformClient(this);
    if (o.runs) {
      const { runs } = await client.agents.listRuns({ agent: o.agent ?? '', pageSize: 50 });
      printTable(
        ['RUN', 'AGENT', 'STATUS', 'STEPS', 'PROPOSALS', 'USER', 'STARTED'],
        runs.map((r) => [
          r.runId,
          `${r.agent} v${r.version}`,
          statusName(r.status),
          String(r.steps),
          String(r.proposalIds.length),
          r.userId,
          formatTime(r.startedAt),
        ]),
      );
      return;
    }
    const { artifacts } = await client.transformation.listArtifacts({
      kind: ArtifactKind.AGENT_DEFINITION,
      pageSize: 500,
    });
    printTable(
      ['NAME', 'STATUS', 'PUBLISHED', 'UPDATED'],
      artifacts.map((a) => [
        a.name,
        ArtifactStatus[a.status].toLowerCase(),
        a.latestPublishedVersion ? `v${a.latestPublishedVersion}` : '-',
        formatTime(a.updatedAt),
      ]),
    );
  });
}

function proposalsCommand(): Command {
  return withPlatformOptions(
    new Command('proposals')
      .description('list proposals agents made (pending by default)')
      .option('--all', 'every status')
      .option('--run <id>', "only this run's"),
  ).action(async function (this: Command, o: { all?: boolean; run?: string }) {
    const client = await platformClient(this);
    const { proposals } = await client.agents.listProposals({
      ...(o.all ? {} : { status: ProposalStatus.PENDING }),
      ...(o.run ? { runId: o.run } : {}),
    });
    printTable(
      ['PROPOSAL', 'STATUS', 'AGENT', 'CALL', 'ARGUMENTS', 'APPROVERS'],
      proposals.map((p) => [
        p.proposalId,
        ProposalStatus[p.status].toLowerCase(),
        p.agent,
        p.rpc.split('.').at(-1) ?? p.rpc,
        JSON.stringify(p.arguments ?? {}),
        p.approverGroup,
      ]),
    );
  });
}

function decideCommand(): Command {
  return withPlatformOptions(
    new Command('decide')
      .description(
        'approve or reject a proposal (you must be in its approver group); its review process applies an approved one',
      )
      .argument('<proposal-id>', 'the proposal')
      .option('--approve', 'approve it')
      .option('--reject', 'reject it')
      .option('-m, --comment <text>', 'why', ''),
  ).action(async function (
    this: Command,
    id: string,
    o: { approve?: boolean; reject?: boolean; comment: string },
  ) {
    if (Boolean(o.approve) === Boolean(o.reject))
      throw new Error('pass exactly one of --approve and --reject');
    const client = await platformClient(this);
    const { proposal } = await client.agents.decideProposal({
      proposalId: id,
      approve: Boolean(o.approve),
      comment: o.comment,
    });
    process.stdout.write(`proposal ${id}: ${ProposalStatus[proposal!.status].toLowerCase()}\n`);
  });
}

/** `ameide agent lint|compile|create|publish|run|list|proposals|decide`. */
export function agentCommand(): Command {
  return new Command('agent')
    .description(
      'AgentDefinitions: lint and compile offline; create, publish and run them on the platform; decide proposals',
    )
    .addCommand(lintCommand())
    .addCommand(compileCommand())
    .addCommand(createCommand())
    .addCommand(publishCommand())
    .addCommand(runCommand())
    .addCommand(listCommand())
    .addCommand(proposalsCommand())
    .addCommand(decideCommand());
}
