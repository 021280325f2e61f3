import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** One parameters page of a template: a JSON Schema object (plus `ui:` hints Backstage reads). */
export type ParameterPage = Readonly<Record<string, unknown>> & {
  readonly title?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
};

/** A step of a template's `spec.steps`. */
export interface TemplateStep {
  readonly id: string;
  readonly name?: string;
  readonly action: string;
  readonly input?: Readonly<Record<string, unknown>>;
  readonly if?: unknown;
}

/** A `scaffolder.backstage.io/v1beta3` Template entity read from `template.yaml`. */
export interface TemplateEntity {
  /** Directory holding `template.yaml`; step URLs are relative to it. */
  readonly dir: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly type: string;
  readonly parameters: readonly ParameterPage[];
  readonly steps: readonly TemplateStep[];
}

/** What a template file must be (the CLI names the first thing that is off). */
export class TemplateFileError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TemplateFileError';
  }
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** Reads and checks a `template.yaml` (the `Template` kind of `scaffolder.backstage.io/v1beta3`). */
export async function readTemplateEntity(file: string): Promise<TemplateEntity> {
  const path = resolve(file);
  const doc = asRecord(parse(await readFile(path, 'utf8')));
  if (doc?.apiVersion !== 'scaffolder.backstage.io/v1beta3' || doc.kind !== 'Template') {
    throw new TemplateFileError(path, 'not a scaffolder.backstage.io/v1beta3 Template');
  }
  const metadata = asRecord(doc.metadata);
  const spec = asRecord(doc.spec);
  if (typeof metadata?.name !== 'string')
    throw new TemplateFileError(path, 'metadata.name is missing');
  if (!spec || !Array.isArray(spec.steps))
    throw new TemplateFileError(path, 'spec.steps is missing');
  const raw = spec.parameters;
  const parameters = (Array.isArray(raw) ? raw : raw ? [raw] : []).map((page, i) => {
    const p = asRecord(page);
    if (!p) throw new TemplateFileError(path, `spec.parameters[${i}] is not an object`);
    return p;
  });
  const steps = spec.steps.map((step, i) => {
    const s = asRecord(step);
    if (typeof s?.id !== 'string' || typeof s.action !== 'string') {
      throw new TemplateFileError(path, `spec.steps[${i}] needs an id and an action`);
    }
    return s as unknown as TemplateStep;
  });
  return {
    dir: dirname(path),
    name: metadata.name,
    title: typeof metadata.title === 'string' ? metadata.title : metadata.name,
    description: typeof metadata.description === 'string' ? metadata.description : '',
    type: typeof spec.type === 'string' ? spec.type : '',
    parameters,
    steps,
  };
}

/** The repository's `templates/` directory (next to `packages/`). */
export const builtInTemplatesDir = resolve(
  dirname(new URL(import.meta.url).pathname),
  '..',
  '..',
  '..',
  '..',
  'templates',
);

/**
 * A template by name (a directory of `templates/`) or by path (a directory holding
 * `template.yaml`, or the file itself).
 */
export async function findTemplate(
  nameOrPath: string,
  templatesDir = builtInTemplatesDir,
): Promise<TemplateEntity> {
  const candidates = /[/\\.]/.test(nameOrPath)
    ? [nameOrPath.endsWith('.yaml') ? nameOrPath : join(nameOrPath, 'template.yaml')]
    : [join(templatesDir, nameOrPath, 'template.yaml')];
  for (const file of candidates) {
    try {
      return await readTemplateEntity(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const known = await listTemplates(templatesDir).catch(() => []);
  throw new TemplateFileError(
    nameOrPath,
    `no such template${known.length ? ` (templates: ${known.map((t) => t.name).join(', ')})` : ''}`,
  );
}

/** Every template of a `templates/` directory, by name. */
export async function listTemplates(templatesDir = builtInTemplatesDir): Promise<TemplateEntity[]> {
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(templatesDir, { withFileTypes: true });
  const found: TemplateEntity[] = [];
  for (const e of entries
    .filter((d) => d.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      found.push(await readTemplateEntity(join(templatesDir, e.name, 'template.yaml')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return found;
}
