import { Command, Option } from 'commander';
import { AmeideError } from '@ameide/errors';
import {
  findTemplate,
  InvalidValuesError,
  listTemplates,
  parseValues,
  renderTemplate,
  TargetExistsError,
  writeScaffold,
  type ParameterPage,
} from '@ameide/factory';
import { collect } from '../config/args.js';

/** One line per parameter: name, required or not, and what it is. */
function describeParameters(pages: readonly ParameterPage[]): string {
  const lines: string[] = [];
  for (const page of pages) {
    const required = new Set(page.required ?? []);
    for (const [name, schema] of Object.entries(page.properties ?? {})) {
      const what =
        typeof schema.description === 'string'
          ? schema.description
          : typeof schema.title === 'string'
            ? schema.title
            : '';
      const values = Array.isArray(schema.enum) ? ` [${schema.enum.join('|')}]` : '';
      lines.push(`  ${name}${required.has(name) ? ' (required)' : ''}${values}: ${what}`);
    }
  }
  return lines.join('\n');
}

/** Errors of the factory as the CLI's one error type, each violation naming its field. */
function asAmeideError(err: unknown): unknown {
  if (err instanceof InvalidValuesError) {
    return AmeideError.invalidArgument(
      `invalid input for template ${err.template}; nothing was written`,
      err.violations.map((v) => ({ field: v.field, description: v.description })),
    );
  }
  if (err instanceof TargetExistsError) {
    return new AmeideError('already_exists', `${err.message}; nothing was written`);
  }
  return err;
}

/**
 * `ameide scaffold <template> --values file|k=v... [-o dir]`: renders a template of `templates/`
 * exactly as Backstage's fetch:template would, after checking the input against the
 * template's parameter schema and the placement rule. Steps that need a Backstage instance
 * (publish, catalog:register) are listed as skipped.
 */
export function scaffoldCommand(): Command {
  return new Command('scaffold')
    .summary('render a Backstage Software Template (templates/) into a directory')
    .description(
      [
        "Render a template exactly as Backstage's fetch:template would.",
        '',
        "Input is checked against the template's parameter schema first (every problem names its field); nothing is written when anything is off, or when a file to write exists already. Tenant-owned (custom) primitives only target tenant-{id}-{env}-cust namespaces; ameide-* is refused.",
        '',
        'Templates are the directories of templates/ (ameide scaffold --list) or a path to a template.yaml; --help-template lists the parameters of one.',
      ].join('\n'),
    )
    .argument('[template]', 'template name (e.g. domain-primitive) or path to its template.yaml')
    .option(
      '--values <file|k=v...>',
      'input: a YAML/JSON file, or name=value (name:=json) pairs; repeatable, later ones win',
      collect,
      [],
    )
    .option('-o, --output <dir>', 'directory to render into (the repository root)', '.')
    .option('--list', 'list the templates and exit')
    .addOption(new Option('--dry-run', 'check and render, print the files, write nothing'))
    .addHelpText(
      'after',
      `
Examples:
  ameide scaffold --list
  ameide scaffold domain-primitive --values name=invoicing owner=group:billing \\
      system=order-to-cash ownership=platform namespace=ameide-apps
  ameide scaffold domain-primitive --values values.yaml -o /tmp/out
  ameide scaffold domain-primitive --help-template`,
    )
    .option('--help-template', "print the template's parameters and exit")
    .action(
      async (
        name: string | undefined,
        opts: {
          values: string[];
          output: string;
          list?: boolean;
          dryRun?: boolean;
          helpTemplate?: boolean;
        },
      ) => {
        if (opts.list || !name) {
          for (const t of await listTemplates()) {
            process.stdout.write(`${t.name.padEnd(22)} ${t.type.padEnd(20)} ${t.description}\n`);
          }
          if (!opts.list && !name)
            process.stdout.write('\nameide scaffold <template> --values ...\n');
          return;
        }
        const template = await findTemplate(name);
        if (opts.helpTemplate) {
          process.stdout.write(`${template.title}: ${template.description}\n\nParameters:\n`);
          process.stdout.write(`${describeParameters(template.parameters)}\n`);
          return;
        }
        // A value may be a file or a pair: pairs have a "=", files do not.
        const files = opts.values.filter((v) => !/^[A-Za-z_][\w-]*:?=/.test(v));
        const pairs = opts.values.filter((v) => /^[A-Za-z_][\w-]*:?=/.test(v));
        const values = await parseValues(files, pairs);
        try {
          const scaffold = await renderTemplate(template, values);
          const files = scaffold.entries.filter((e) => e.kind === 'file').map((e) => e.path);
          if (opts.dryRun) {
            for (const f of files) process.stdout.write(`${f}\n`);
            return;
          }
          const written = await writeScaffold(scaffold, opts.output);
          for (const f of written) process.stdout.write(`  wrote ${f}\n`);
          for (const s of scaffold.steps.filter((x) => x.outcome === 'skipped')) {
            process.stdout.write(
              `  skipped step ${s.id} (${s.action}): needs a Backstage instance\n`,
            );
          }
          process.stdout.write(`${template.name}: ${written.length} files in ${opts.output}\n`);
        } catch (err) {
          throw asAmeideError(err);
        }
      },
    );
}
