import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import { hasRpc } from '@ameide/proto';
import {
  compileProcessDefinition,
  exportBpmn,
  formatDiagnostic,
  hasErrors,
  importBpmn,
  lintProcessDefinition,
  type Diagnostic,
} from '@ameide/process-definition';

const services = { hasMethod: hasRpc };

function isBpmn(file: string): boolean {
  return ['.bpmn', '.xml'].includes(extname(file).toLowerCase());
}

/** Reads a definition from JSON or BPMN; importer findings come back as diagnostics. */
async function readDefinition(file: string): Promise<{ raw?: unknown; diagnostics: Diagnostic[] }> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      { cause: err },
    );
  });
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
    .option('-o, --output <path>', 'write the definition here (default: stdout)')
    .action(async (file: string, opts: { output?: string }) => {
      const imported = await importBpmn(await readFile(file, 'utf8'));
      printDiagnostics(file, imported.diagnostics, 'text', process.stderr);
      if (!imported.ok) {
        process.exitCode = 1;
        return;
      }
      await writeOut(opts.output, `${JSON.stringify(imported.definition, null, 2)}\n`);
    });

  process_
    .command('export')
    .description('convert a ProcessDefinition JSON file into BPMN 2.0 XML with layout')
    .argument('<file>', 'definition file (.json)')
    .option('-o, --output <path>', 'write the BPMN here (default: stdout)')
    .action(async (file: string, opts: { output?: string }) => {
      const { raw, diagnostics } = await readDefinition(file);
      const lint = raw === undefined ? undefined : lintProcessDefinition(raw);
      if (!lint?.definition) {
        printDiagnostics(file, lint ? lint.diagnostics : diagnostics, 'text', process.stderr);
        throw new Error(`${file} is not a valid ProcessDefinition`);
      }
      await writeOut(opts.output, await exportBpmn(lint.definition));
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
