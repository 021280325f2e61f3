import type { MessageInitShape } from '@bufbuild/protobuf';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GetArtifactRequestSchema } from '@ameide/proto';
import {
  ArtifactKind,
  ArtifactSchema,
  ArtifactStatus,
  GetArtifactHistoryResponseSchema,
  ListArtifactsResponseSchema,
  type Artifact,
} from '@ameide/proto';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { formatTime, printJson, printTable } from '../config/output.js';
import { positiveInt } from './token.js';

const kinds: Record<string, ArtifactKind> = {
  process_definition: ArtifactKind.PROCESS_DEFINITION,
  agent_definition: ArtifactKind.AGENT_DEFINITION,
  extension_definition: ArtifactKind.EXTENSION_DEFINITION,
  decision_definition: ArtifactKind.DECISION_DEFINITION,
  document: ArtifactKind.DOCUMENT,
  diagram: ArtifactKind.DIAGRAM,
};
const statuses: Record<string, ArtifactStatus> = {
  draft: ArtifactStatus.DRAFT,
  published: ArtifactStatus.PUBLISHED,
  archived: ArtifactStatus.ARCHIVED,
};

function kindArg(value: string): ArtifactKind {
  const k = kinds[value.replace(/-/g, '_')];
  if (k === undefined) throw new InvalidArgumentError(`one of ${Object.keys(kinds).join(', ')}`);
  return k;
}
function statusArg(value: string): ArtifactStatus {
  const s = statuses[value];
  if (s === undefined) throw new InvalidArgumentError(`one of ${Object.keys(statuses).join(', ')}`);
  return s;
}
function kindName(k: ArtifactKind): string {
  return Object.entries(kinds).find(([, v]) => v === k)?.[0] ?? 'unknown';
}
function statusName(s: ArtifactStatus): string {
  return Object.entries(statuses).find(([, v]) => v === s)?.[0] ?? 'unknown';
}

const contentTypes: Record<string, string> = {
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.bpmn': 'application/bpmn+xml',
  '.dmn': 'application/dmn+xml',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
};

/** Content from a file, or from stdin when the file is `-` or omitted. */
async function readContent(
  file: string | undefined,
): Promise<{ content: Uint8Array; contentType: string | undefined }> {
  if (file && file !== '-') {
    return {
      content: await readFile(file),
      contentType: contentTypes[extname(file).toLowerCase()],
    };
  }
  if (process.stdin.isTTY)
    throw new Error('no content: pass --file <path>, or pipe the content on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { content: Buffer.concat(chunks), contentType: undefined };
}

function printArtifact(a: Artifact, json: boolean): void {
  if (json) return printJson(ArtifactSchema, a);
  const published = a.publishedVersion ? ` (published version ${a.publishedVersion})` : '';
  process.stdout.write(
    `${a.id}  ${kindName(a.kind)}  "${a.name}"  ${statusName(a.status)}${published}\n` +
      `  stream version ${a.streamVersion}, draft revision ${a.draftRevision}, latest published ${a.latestPublishedVersion || '-'}\n` +
      `  ${a.contentType}, ${a.content.byteLength || '?'} bytes, sha256 ${a.contentHash.slice(0, 16)}…\n` +
      `  updated ${formatTime(a.updatedAt)} by ${a.updatedBy}\n`,
  );
}

const jsonOption = () => new Option('--json', 'print the result as JSON');

/** `ameide artifact ...`: the Transformation Domain's artifacts. */
export function artifactCommand(): Command {
  const artifact = new Command('artifact').description(
    'create, revise, publish and read design artifacts (Transformation Domain)',
  );

  withPlatformOptions(
    artifact
      .command('create')
      .description('create a draft artifact from a file or stdin')
      .argument('<kind>', `artifact kind: ${Object.keys(kinds).join(', ')}`, kindArg)
      .argument('<name>', 'name, unique per tenant and kind')
      .option('-f, --file <path>', 'content file ("-" or omitted: stdin)')
      .option(
        '--content-type <mime>',
        'MIME type (default: from the file extension, else text/plain)',
      )
      .addOption(jsonOption()),
  ).action(
    async (
      kind: ArtifactKind,
      name: string,
      opts: { file?: string; contentType?: string; json?: boolean },
      cmd: Command,
    ) => {
      const { content, contentType } = await readContent(opts.file);
      const client = await platformClient(cmd);
      const { artifact: a } = await client.transformation.createArtifact({
        kind,
        name,
        content,
        contentType: opts.contentType ?? contentType ?? 'text/plain',
      });
      printArtifact(a!, opts.json ?? false);
    },
  );

  withPlatformOptions(
    artifact
      .command('revise')
      .description('replace the draft content (optimistic: give the stream version you last read)')
      .argument('<id>', 'artifact id')
      .requiredOption('--expected-version <n>', 'stream version you last read', positiveInt)
      .option('-f, --file <path>', 'content file ("-" or omitted: stdin)')
      .option('--content-type <mime>', 'MIME type (default: keep the current one)')
      .addOption(jsonOption()),
  ).action(
    async (
      id: string,
      opts: { expectedVersion: number; file?: string; contentType?: string; json?: boolean },
      cmd: Command,
    ) => {
      const { content } = await readContent(opts.file);
      const client = await platformClient(cmd);
      const { artifact: a } = await client.transformation.reviseArtifact({
        artifactId: id,
        expectedVersion: BigInt(opts.expectedVersion),
        content,
        contentType: opts.contentType ?? '',
      });
      printArtifact(a!, opts.json ?? false);
    },
  );

  for (const [verb, description] of [
    ['publish', 'publish the current draft as the next immutable version'],
    ['archive', 'archive the artifact (no further changes)'],
  ] as const) {
    withPlatformOptions(
      artifact
        .command(verb)
        .description(description)
        .argument('<id>', 'artifact id')
        .option(
          '--expected-version <n>',
          'refuse unless this is the current stream version',
          positiveInt,
        )
        .addOption(jsonOption()),
    ).action(
      async (id: string, opts: { expectedVersion?: number; json?: boolean }, cmd: Command) => {
        const client = await platformClient(cmd);
        const req = {
          artifactId: id,
          ...(opts.expectedVersion ? { expectedVersion: BigInt(opts.expectedVersion) } : {}),
        };
        const { artifact: a } =
          verb === 'publish'
            ? await client.transformation.publishArtifact(req)
            : await client.transformation.archiveArtifact(req);
        printArtifact(a!, opts.json ?? false);
      },
    );
  }

  withPlatformOptions(
    artifact
      .command('get')
      .description(
        'show an artifact: latest draft, a published version, or the state at a stream version',
      )
      .argument('<ref>', 'artifact id, or <kind>/<name>')
      .option('--version <n>', 'a published version', positiveInt)
      .option('--latest-published', 'the latest published version')
      .option('--at <n>', 'the state right after this stream version', positiveInt)
      .option('-o, --output <path>', 'write the content to a file')
      .option('--content', 'print only the content to stdout')
      .addOption(jsonOption()),
  ).action(
    async (
      ref: string,
      opts: {
        version?: number;
        latestPublished?: boolean;
        at?: number;
        output?: string;
        content?: boolean;
        json?: boolean;
      },
      cmd: Command,
    ) => {
      const client = await platformClient(cmd);
      const slash = ref.indexOf('/');
      const req: MessageInitShape<typeof GetArtifactRequestSchema> =
        slash > 0
          ? { kind: kindArg(ref.slice(0, slash)), name: ref.slice(slash + 1) }
          : { artifactId: ref };
      if (opts.version) req.at = { case: 'publishedVersion', value: opts.version };
      else if (opts.latestPublished) req.at = { case: 'latestPublished', value: true };
      else if (opts.at) req.at = { case: 'streamVersion', value: BigInt(opts.at) };
      const { artifact: a } = await client.transformation.getArtifact(req);
      if (opts.output) await writeFile(opts.output, a!.content);
      if (opts.content) process.stdout.write(a!.content);
      else printArtifact(a!, opts.json ?? false);
    },
  );

  withPlatformOptions(
    artifact
      .command('list')
      .description("list the tenant's artifacts")
      .option('--kind <kind>', 'only this kind', kindArg)
      .option('--status <status>', 'only this status: draft, published, archived', statusArg)
      .option('--page-size <n>', 'artifacts per request', positiveInt, 200)
      .addOption(jsonOption()),
  ).action(
    async (
      opts: { kind?: ArtifactKind; status?: ArtifactStatus; pageSize: number; json?: boolean },
      cmd: Command,
    ) => {
      const client = await platformClient(cmd);
      const all: Artifact[] = [];
      let pageToken = '';
      do {
        const page = await client.transformation.listArtifacts({
          pageSize: opts.pageSize,
          pageToken,
          ...(opts.kind ? { kind: opts.kind } : {}),
          ...(opts.status ? { status: opts.status } : {}),
        });
        all.push(...page.artifacts);
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (opts.json)
        return printJson(ListArtifactsResponseSchema, {
          $typeName: 'ameide.transformation.v1.ListArtifactsResponse',
          artifacts: all,
          nextPageToken: '',
        });
      printTable(
        ['ID', 'KIND', 'NAME', 'STATUS', 'VERSION', 'PUBLISHED', 'UPDATED', 'BY'],
        all.map((a) => [
          a.id,
          kindName(a.kind),
          a.name,
          statusName(a.status),
          String(a.streamVersion),
          a.latestPublishedVersion ? `v${a.latestPublishedVersion}` : '-',
          formatTime(a.updatedAt),
          a.updatedBy,
        ]),
      );
    },
  );

  withPlatformOptions(
    artifact
      .command('history')
      .description("an artifact's event history")
      .argument('<id>', 'artifact id')
      .addOption(jsonOption()),
  ).action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
    const client = await platformClient(cmd);
    const res = await client.transformation.getArtifactHistory({ artifactId: id });
    if (opts.json) return printJson(GetArtifactHistoryResponseSchema, res);
    printTable(
      ['VERSION', 'EVENT', 'AT', 'BY', 'DETAIL'],
      res.events.map((e) => [
        String(e.streamVersion),
        e.type,
        formatTime(e.occurredAt),
        e.actor,
        e.publishedVersion
          ? `published v${e.publishedVersion}`
          : e.contentHash
            ? `sha256 ${e.contentHash.slice(0, 12)}…`
            : '',
      ]),
    );
  });

  return artifact;
}
