import { readFile } from 'node:fs/promises';
import { fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { Command } from 'commander';
import { inspectModule } from '@ameide/extensions-runtime';
import { ArtifactKind } from '@ameide/proto';
import { isAmeideError } from '@ameide/sdk';
import { collect, jsonArg } from '../config/args.js';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { positiveInt } from './token.js';

const encoder = new TextEncoder();

interface PublishOptions {
  definition?: string;
  name?: string;
  entry?: string;
  point?: string[];
  maxMemoryPages?: number;
  timeoutMs?: number;
  maxInputBytes?: number;
  maxOutputBytes?: number;
  allow?: string[];
}

/** The definition to publish: the file given, with the flags given on top. */
async function definitionOf(o: PublishOptions): Promise<Record<string, unknown>> {
  const base = o.definition
    ? ((await jsonArg(`@${o.definition}`, '--definition')) as Record<string, unknown>)
    : { schemaVersion: 1, abiVersion: 1 };
  const limits = { ...((base['limits'] as Record<string, unknown> | undefined) ?? {}) };
  if (o.maxMemoryPages !== undefined) limits['maxMemoryPages'] = o.maxMemoryPages;
  if (o.timeoutMs !== undefined) limits['timeoutMs'] = o.timeoutMs;
  if (o.maxInputBytes !== undefined) limits['maxInputBytes'] = o.maxInputBytes;
  if (o.maxOutputBytes !== undefined) limits['maxOutputBytes'] = o.maxOutputBytes;
  return {
    ...base,
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.entry !== undefined ? { entryPoint: o.entry } : {}),
    ...(o.point ? { extensionPoints: o.point } : {}),
    ...(o.allow ? { allowedHostCalls: o.allow } : {}),
    limits,
  };
}

/** `ameide extension publish`: upload the module, create or revise its definition, publish. */
export function extensionPublishCommand(): Command {
  return withPlatformOptions(
    new Command('publish')
      .summary('upload a module and publish its ExtensionDefinition on the platform')
      .description(
        "Uploads <module.wasm> to the tenant's object storage (ExtensionService.PutExtensionModule), writes its sha256 into the definition, creates the ExtensionDefinition (or revises the draft of the same name) and publishes it. Publishing checks the module: it must import env.memory with a maximum within limits.maxMemoryPages, import only the guest ABI and export the entry point.",
      )
      .argument('<module.wasm>', 'the module, e.g. from `ameide extension build`')
      .option('-d, --definition <file>', 'ExtensionDefinition JSON (module.sha256 is filled in)')
      .option('--name <name>', 'definition name (overrides the file)')
      .option('--entry <export>', 'entry point (default: run)')
      .option(
        '--point <point>',
        'extension point it implements (repeatable): sales.order-line-pricing, process.service-task (default)',
        collect,
      )
      .option('--max-memory-pages <n>', 'limit: guest memory in 64 KiB pages', positiveInt)
      .option('--timeout-ms <ms>', 'limit: time budget of one invocation', positiveInt)
      .option('--max-input-bytes <n>', 'limit: input JSON size', positiveInt)
      .option('--max-output-bytes <n>', 'limit: output JSON size', positiveInt)
      .option(
        '--allow <method>',
        'host call the guest may make, package.Service/Method (repeatable)',
        collect,
      )
      .addHelpText(
        'after',
        '\nExample:\n  ameide extension publish volume-discount.wasm -d examples/extensions/volume-discount/extension.json',
      ),
  ).action(async function (this: Command, modulePath: string, o: PublishOptions) {
    const client = await platformClient(this);
    const module = await readFile(modulePath);
    const definition = await definitionOf(o);
    // Without a declared limit, the module's own memory maximum is the limit.
    const limits = definition['limits'] as Record<string, unknown>;
    if (limits['maxMemoryPages'] === undefined) {
      const declared = inspectModule(module).memoryImport?.maximumPages;
      if (declared !== undefined) limits['maxMemoryPages'] = declared;
    }
    definition['extensionPoints'] ??= ['process.service-task'];
    const name = definition['name'];
    if (typeof name !== 'string' || name === '') {
      throw new Error('no name: pass --name or a --definition file with "name"');
    }
    process.stderr.write(`uploading ${modulePath} (${module.byteLength} bytes)...\n`);
    const { sha256 } = await client.extensions.putExtensionModule({ module });
    const content = encoder.encode(
      JSON.stringify({ ...definition, module: { sha256 } }, null, 2) + '\n',
    );
    const existing = await client.transformation
      .getArtifact({ kind: ArtifactKind.EXTENSION_DEFINITION, name })
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
        ).artifact
      : (
          await client.transformation.createArtifact({
            kind: ArtifactKind.EXTENSION_DEFINITION,
            name,
            contentType: 'application/json',
            content,
          })
        ).artifact;
    const published = await client.transformation.publishArtifact({
      artifactId: artifact!.id,
    });
    process.stdout.write(
      `published extension ${name} version ${published.artifact?.publishedVersion} (module sha256 ${sha256})\n`,
    );
  });
}

/** `ameide extension invoke`: run a published extension on the platform. */
export function extensionInvokeCommand(): Command {
  return withPlatformOptions(
    new Command('invoke')
      .summary('run a published extension on the platform (ExtensionService.InvokeExtension)')
      .argument('<name>', 'ExtensionDefinition name')
      .requiredOption('-i, --input <json>', 'input JSON, or @file.json')
      .option('--version <n>', 'published version (default: the latest)', positiveInt),
  ).action(async function (this: Command, name: string, o: { input: string; version?: number }) {
    const client = await platformClient(this);
    const input = fromJson(ValueSchema, (await jsonArg(o.input, '--input')) as JsonValue);
    const res = await client.extensions.invokeExtension({
      name,
      version: o.version ?? 0,
      input,
    });
    const output = res.output ? toJson(ValueSchema, res.output) : null;
    process.stdout.write(JSON.stringify(output) + '\n');
  });
}
