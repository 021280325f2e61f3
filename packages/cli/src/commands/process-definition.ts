import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Command, Option } from 'commander';
import { hasRpc } from '@ameide/proto';
import {
  bpmnInterchangeSchema,
  compileProcessDefinition,
  exportBpmn,
  formatDiagnostic,
  hasErrors,
  importBpmn,
  importBpmnCollaboration,
  lintProcessDefinition,
  type BpmnInterchange,
  type Diagnostic,
  type ProcessDefinition,
} from '@ameide/process-definition';

const services = { hasMethod: hasRpc };

function isBpmn(file: string): boolean {
  return ['.bpmn', '.xml'].includes(extname(file).toLowerCase());
}

/** A file's text; a file that cannot be read is an error naming it. */
function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      { cause: err },
    );
  });
}

/** Reads a definition from JSON or BPMN; importer findings come back as diagnostics. */
async function readDefinition(file: string): Promise<{ raw?: unknown; diagnostics: Diagnostic[] }> {
  const text = await readText(file);
  if (isBpmn(file)) {
    const imported = await importBpmn(text);
    return imported.ok
      ? { raw: imported.definition, diagnostics: [...imported.diagnostics] }
      : { diagnostics: [...imported.diagnostics] };
  }
  try {
    return { raw: JSON.parse(text) as unknown, diagnostics: [] };
  } catch (err) {
    throw new Error(
      `${file} is not JSON (${(err as Error).message}); BPMN files need the .bpmn extension`,
      { cause: err },
    );
  }
}

function printDiagnostics(
  file: string,
  diagnostics: readonly Diagnostic[],
  format: 'text' | 'json',
  stream: NodeJS.WritableStream,
): void {
  if (format === 'json') {
    stream.write(
      `${JSON.stringify(
        diagnostics.map((d) => ({ file, ...d })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  for (const d of diagnostics) stream.write(`${file}:${formatDiagnostic(d)}\n`);
}

/** The document-level part of an imported collaboration, beside its definitions. */
const COLLABORATION_FILE = 'collaboration.json';

/** `process import --collaboration`: one definition file per process, and the document part. */
async function importCollaboration(file: string, xml: string, dir: string): Promise<void> {
  const imported = await importBpmnCollaboration(xml);
  printDiagnostics(file, imported.diagnostics, 'text', process.stderr);
  if (!imported.ok) {
    process.exitCode = 1;
    return;
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const definition of imported.definitions) {
    // Process ids are XML names: no path separators, never `..` alone.
    const name = `${definition.id}.json`;
    if (name === COLLABORATION_FILE)
      throw new Error(`${file}: a process is named ${definition.id}, like the collaboration part`);
    await writeFile(join(dir, name), `${JSON.stringify(definition, null, 2)}\n`);
    written.push(name);
  }
  await writeFile(
    join(dir, COLLABORATION_FILE),
    `${JSON.stringify(imported.collaboration, null, 2)}\n`,
  );
  written.push(COLLABORATION_FILE);
  process.stderr.write(
    `${file}: ${imported.definitions.length} process(es) imported into ${dir}: ${written.join(', ')}\n`,
  );
}

function isCollaborationPart(raw: unknown): boolean {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    !('nodes' in raw) &&
    bpmnInterchangeSchema.safeParse(raw).success
  );
}

/** A collaboration part as `process import --collaboration` wrote it, checked. */
async function readCollaboration(file: string): Promise<BpmnInterchange> {
  const text = await readText(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not JSON (${(err as Error).message})`, { cause: err });
  }
  const checked = bpmnInterchangeSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(
      `${file} is not a collaboration part written by \`process import --collaboration\`: ` +
        `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`,
    );
  }
  return checked.data;
}

async function writeOut(path: string | undefined, content: string): Promise<void> {
  if (path) await writeFile(path, content);
  else process.stdout.write(content.endsWith('\n') ? content : `${content}\n`);
}

/**
 * `ameide process lint|import|export|compile`: work on ProcessDefinition files
 * offline, no platform needed. Service bindings are checked against the proto
 * descriptor set shipped with the platform.
 */
export function processCommand(): Command {
  const process_ = new Command('process').description(
    'ProcessDefinitions: lint, convert and compile files (offline); run them on the platform',
  );

  process_
    .command('lint')
    .description('check a ProcessDefinition (.json) or BPMN file (.bpmn); exit 1 on errors')
    .argument('<file>', 'definition file')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action(async (file: string, opts: { format: 'text' | 'json' }) => {
      const { raw, diagnostics } = await readDefinition(file);
      const all =
        raw === undefined
          ? diagnostics
          : [...diagnostics, ...lintProcessDefinition(raw, { services }).diagnostics];
      printDiagnostics(file, all, opts.format, process.stdout);
      const errors = all.filter((d) => d.severity === 'error').length;
      if (opts.format === 'text') {
        process.stderr.write(`${file}: ${errors} error(s), ${all.length - errors} warning(s)\n`);
      }
      if (errors > 0) process.exitCode = 1;
    });

  process_
    .command('import')
    .description(
      'convert BPMN 2.0 XML (Ameide, bpmn-js, Camunda Modeler) into a ProcessDefinition JSON file',
    )
    .argument('<file>', 'BPMN file')
    .option(
      '-o, --output <path>',
      'write the definition here (default: stdout); with --collaboration, a directory',
    )
    .option(
      '--collaboration',
      'import every process of the document (a collaboration of pools): <processId>.json each, ' +
        `and the document-level part (pools, message flows, diagrams) as ${COLLABORATION_FILE}, ` +
        'which `process export --collaboration` writes back',
    )
    .action(async (file: string, opts: { output?: string; collaboration?: boolean }) => {
      const xml = await readFile(file, 'utf8');
      if (opts.collaboration) {
        await importCollaboration(file, xml, opts.output ?? '.');
        return;
      }
      const imported = await importBpmn(xml);
      printDiagnostics(file, imported.diagnostics, 'text', process.stderr);
      if (!imported.ok) {
        process.exitCode = 1;
        return;
      }
      await writeOut(opts.output, `${JSON.stringify(imported.definition, null, 2)}\n`);
    });

  process_
    .command('export')
    .description(
      'convert ProcessDefinition JSON files into BPMN 2.0 XML with layout (several: one document, a pool each)',
    )
    .argument('<files...>', 'definition files (.json)')
    .option('-o, --output <path>', 'write the BPMN here (default: stdout)')
    .option(
      '--collaboration <file>',
      `the document-level part \`process import --collaboration\` wrote (${COLLABORATION_FILE})`,
    )
    .action(async (files: string[], opts: { output?: string; collaboration?: string }) => {
      const definitions: ProcessDefinition[] = [];
      const seen = new Map<string, string>();
      for (const file of files) {
        const { raw, diagnostics } = await readDefinition(file);
        const lint = raw === undefined ? undefined : lintProcessDefinition(raw);
        if (!lint?.definition) {
          if (isCollaborationPart(raw))
            throw new Error(
              `${file} is a collaboration part: pass it with --collaboration ${file}`,
            );
          printDiagnostics(file, lint ? lint.diagnostics : diagnostics, 'text', process.stderr);
          throw new Error(`${file} is not a valid ProcessDefinition`);
        }
        const other = seen.get(lint.definition.id);
        if (other !== undefined)
          throw new Error(`${other} and ${file} are both process ${lint.definition.id}`);
        seen.set(lint.definition.id, file);
        definitions.push(lint.definition);
      }
      const collaboration =
        opts.collaboration === undefined ? undefined : await readCollaboration(opts.collaboration);
      await writeOut(
        opts.output,
        await exportBpmn({ definitions, ...(collaboration ? { collaboration } : {}) }),
      );
    });

  process_
    .command('compile')
    .description(
      'compile a definition into its ExecutionPlan (canonical JSON); refused on lint errors',
    )
    .argument('<file>', 'definition file (.json or .bpmn)')
    .option('-o, --output <path>', 'write the plan here (default: stdout)')
    .action(async (file: string, opts: { output?: string }) => {
      const { raw, diagnostics } = await readDefinition(file);
      if (raw === undefined) {
        printDiagnostics(file, diagnostics, 'text', process.stderr);
        process.exitCode = 1;
        return;
      }
      const result = compileProcessDefinition(raw, { services });
      printDiagnostics(file, [...diagnostics, ...result.diagnostics], 'text', process.stderr);
      if (!result.ok || hasErrors(result.diagnostics)) {
        process.stderr.write(`${file}: not compiled\n`);
        process.exitCode = 1;
        return;
      }
      await writeOut(opts.output, result.json);
      process.stderr.write(
        `${file}: compiled, plan ${result.hash} (${Buffer.byteLength(result.json)} bytes)\n`,
      );
    });

  return process_;
}
