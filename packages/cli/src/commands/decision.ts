import { readFile } from 'node:fs/promises';
import { toJson, type JsonObject } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ArtifactKind } from '@ameide/proto';
import {
  compileDecision,
  evaluateDecision,
  lintDecision,
  type DecisionDiagnostic,
} from '@ameide/decision';
import { isAmeideError } from '@ameide/sdk';
import { platformClient, withPlatformOptions } from '../config/client.js';
import { positiveInt } from './token.js';

async function readDmn(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      {
        cause: err,
      },
    );
  });
}

function format(file: string, d: DecisionDiagnostic): string {
  const where = [d.decisionId, d.location].filter((x) => x !== undefined && x !== '').join(' ');
  return `${file}: ${d.severity} ${d.code}${where ? ` [${where}]` : ''}: ${d.message}`;
}

/** `--context '{"tier":"gold"}'` or `--context @file.json`: a JSON object. */
async function contextArg(value: string | undefined): Promise<Record<string, unknown>> {
  if (value === undefined) return {};
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`--context is not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidArgumentError('--context must be a JSON object of input values');
  return parsed as Record<string, unknown>;
}

/**
 * `ameide decision lint|evaluate|publish`: DMN 1.3 decision definitions. Lint and evaluating a
 * file work offline; `evaluate --name` and `publish` use the platform (TransformationService).
 */
export function decisionCommand(): Command {
  const decision = new Command('decision').description(
    'DMN 1.3 decisions: lint and evaluate files (offline), publish them and evaluate published ones',
  );

  decision
    .command('lint')
    .description(
      'check DMN 1.3 files (hit policies, overlaps, gaps, FEEL, names); exit 1 on errors',
    )
    .argument('<files...>', 'DMN files')
    .option(
      '--known-inputs <names>',
      'comma-separated names the caller passes (unknown-name check)',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .action(async (files: string[], opts: { knownInputs?: string; format: 'text' | 'json' }) => {
      let errors = 0;
      const all: (DecisionDiagnostic & { file: string })[] = [];
      for (const file of files) {
        const result = await lintDecision(await readDmn(file), {
          ...(opts.knownInputs !== undefined
            ? {
                knownInputs: opts.knownInputs
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : {}),
        });
        errors += result.errorCount;
        if (opts.format === 'json') all.push(...result.diagnostics.map((d) => ({ file, ...d })));
        else {
          for (const d of result.diagnostics) process.stdout.write(`${format(file, d)}\n`);
          process.stderr.write(
            `${file}: ${result.errorCount} error(s), ${result.warningCount} warning(s)\n`,
          );
        }
      }
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      if (errors > 0) process.exitCode = 1;
    });

  withPlatformOptions(
    decision
      .command('evaluate')
      .description(
        'evaluate a decision of a DMN file (offline) or of a published decision definition (--name)',
      )
      .argument('[file]', 'DMN file; omit it with --name')
      .option('--name <name>', 'published decision definition to evaluate on the platform')
      .option('--version <n>', 'published version (default: latest)', positiveInt)
      .option('--decision <id>', "decision id (default: the model's only top-level decision)")
      .option('--context <json>', 'input values as a JSON object, or @file.json'),
  ).action(
    async (
      file: string | undefined,
      opts: { name?: string; version?: number; decision?: string; context?: string },
      cmd: Command,
    ) => {
      const context = await contextArg(opts.context);
      if ((file === undefined) === (opts.name === undefined))
        throw new InvalidArgumentError('give a DMN file or --name (one of them)');
      if (file !== undefined) {
        const compiled = await compileDecision(await readDmn(file));
        if (!compiled.ok) {
          for (const d of compiled.diagnostics) process.stderr.write(`${format(file, d)}\n`);
          throw new Error(`${file} does not compile (lint errors above)`);
        }
        const r = evaluateDecision(
          compiled.plan,
          context,
          opts.decision ? { decision: opts.decision } : {},
        );
        process.stdout.write(
          `${JSON.stringify({ decision: r.decision, result: r.value, matchedRules: r.matchedRules, planHash: compiled.hash }, null, 2)}\n`,
        );
        return;
      }
      const client = await platformClient(cmd);
      const r = await client.transformation.evaluateDecision({
        source: { case: 'name', value: opts.name! },
        version: opts.version ?? 0,
        decisionId: opts.decision ?? '',
        context: context as JsonObject,
      });
      process.stdout.write(
        `${JSON.stringify(
          {
            decision: r.decisionId,
            result: r.result ? toJson(ValueSchema, r.result) : null,
            matchedRules: Object.fromEntries(r.matches.map((m) => [m.decisionId, m.ruleIds])),
            version: r.version,
            planHash: r.planHash,
          },
          null,
          2,
        )}\n`,
      );
    },
  );

  withPlatformOptions(
    decision
      .command('publish')
      .description(
        'create or revise the decision definition <name> from a DMN file, then publish it',
      )
      .argument('<file>', 'DMN file')
      .requiredOption('--name <name>', 'decision definition name'),
  ).action(async (file: string, opts: { name: string }, cmd: Command) => {
    const content = new TextEncoder().encode(await readDmn(file));
    const client = await platformClient(cmd);
    let artifactId: string;
    try {
      const { artifact } = await client.transformation.getArtifact({
        kind: ArtifactKind.DECISION_DEFINITION,
        name: opts.name,
      });
      const revised = await client.transformation.reviseArtifact({
        artifactId: artifact!.id,
        expectedVersion: artifact!.streamVersion,
        content,
        contentType: 'application/dmn+xml',
      });
      artifactId = revised.artifact!.id;
    } catch (err) {
      if (!isAmeideError(err) || err.code !== 'not_found') throw err;
      const created = await client.transformation.createArtifact({
        kind: ArtifactKind.DECISION_DEFINITION,
        name: opts.name,
        contentType: 'application/dmn+xml',
        content,
      });
      artifactId = created.artifact!.id;
    }
    const { artifact } = await client.transformation.publishArtifact({ artifactId });
    const v = artifact!.publishedVersions.at(-1)!;
    process.stdout.write(
      `${opts.name} v${v.version} published (plan ${v.planHash.slice(0, 16)}…)\n`,
    );
  });

  return decision;
}
