import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { renderSkeleton, type RenderedEntry } from './render/render-skeleton.js';
import { createTemplater } from './render/templater.js';
import type { TemplateEntity, TemplateStep } from './template/template-entity.js';
import { placementViolation } from './values/placement.js';
import { InvalidValuesError, valueViolations } from './values/validate-values.js';

/** What a step of the template did when scaffolded offline. */
export interface StepReport {
  readonly id: string;
  readonly action: string;
  /** `rendered`: fetch:template ran; `skipped`: an action that needs Backstage (publish, register). */
  readonly outcome: 'rendered' | 'skipped';
}

/** A rendered template, not yet written. */
export interface Scaffold {
  readonly template: string;
  readonly entries: readonly RenderedEntry[];
  readonly steps: readonly StepReport[];
}

/** The `fetch:template` inputs the offline renderer supports; others are refused, not ignored. */
const SUPPORTED_INPUTS = new Set(['url', 'targetPath', 'values', 'replace']);

/**
 * The input of a step as Backstage's workflow runner computes it: every string in it is
 * rendered against `parameters` (a string that is one expression keeps its value's type;
 * undefined values drop out).
 */
function renderStepInput(
  templater: ReturnType<typeof createTemplater>,
  step: TemplateStep,
  parameters: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const context = { parameters, secrets: {}, steps: {}, user: {} };
  return JSON.parse(JSON.stringify(step.input ?? {}), (_key, value: unknown) =>
    typeof value === 'string' ? templater.renderValue(value, context, `step ${step.id}`) : value,
  ) as Record<string, unknown>;
}

/**
 * Validates `parameters` against the template's schema and its placement rule, then renders
 * every `fetch:template` step (in order) into one tree, without writing anything. Steps with
 * other actions (`publish:*`, `catalog:register`) need a Backstage instance and are reported
 * as skipped.
 */
export async function renderTemplate(
  template: TemplateEntity,
  parameters: Readonly<Record<string, unknown>>,
): Promise<Scaffold> {
  // The placement rule's reason replaces the schema's pattern message for the namespace.
  const placement = placementViolation(parameters);
  const violations = valueViolations(template.parameters, parameters).filter(
    (v) => !placement || v.field !== placement.field,
  );
  if (placement) violations.push(placement);
  if (violations.length > 0) throw new InvalidValuesError(template.name, violations);
  const templater = createTemplater();
  const entries: RenderedEntry[] = [];
  const steps: StepReport[] = [];
  const taken = new Set<string>();
  for (const step of template.steps) {
    if (step.action !== 'fetch:template') {
      steps.push({ id: step.id, action: step.action, outcome: 'skipped' });
      continue;
    }
    const input = renderStepInput(templater, step, parameters);
    for (const key of Object.keys(input)) {
      if (!SUPPORTED_INPUTS.has(key)) {
        throw new Error(`step ${step.id}: fetch:template input ${key} is not supported offline`);
      }
    }
    if (typeof input.url !== 'string' || /^[a-z]+:/i.test(input.url)) {
      throw new Error(`step ${step.id}: input.url must be a path relative to the template`);
    }
    const target = typeof input.targetPath === 'string' ? input.targetPath : '.';
    const values = (input.values ?? {}) as Record<string, unknown>;
    const rendered = await renderSkeleton(templater, resolve(template.dir, input.url), values);
    for (const entry of rendered) {
      const path = join(target, entry.path);
      if (taken.has(path) && input.replace !== true) continue;
      taken.add(path);
      entries.push({ ...entry, path });
    }
    steps.push({ id: step.id, action: step.action, outcome: 'rendered' });
  }
  return { template: template.name, entries, steps };
}

/** A scaffold would overwrite files that exist. */
export class TargetExistsError extends Error {
  constructor(readonly paths: readonly string[]) {
    super(
      `refusing to overwrite ${paths.length} existing file(s): ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', ...' : ''}`,
    );
    this.name = 'TargetExistsError';
  }
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Writes a rendered scaffold under `outputDir`. Refuses (writing nothing) when any of its
 * files exists already.
 */
export async function writeScaffold(scaffold: Scaffold, outputDir: string): Promise<string[]> {
  const root = resolve(outputDir);
  const files = scaffold.entries.filter((e) => e.kind === 'file');
  const existing: string[] = [];
  for (const f of files) if (await exists(join(root, f.path))) existing.push(f.path);
  if (existing.length > 0) throw new TargetExistsError(existing);
  const written: string[] = [];
  for (const entry of scaffold.entries) {
    const path = join(root, entry.path);
    if (entry.kind === 'dir') {
      await mkdir(path, { recursive: true });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, entry.content, { mode: entry.mode });
    await chmod(path, entry.mode);
    written.push(entry.path);
  }
  return written;
}
