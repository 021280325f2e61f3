// The repository's Backstage catalog is valid as Backstage reads it: every entity the root
// Location points at passes the catalog's entity policies and exactly one kind validator of
// @backstage/catalog-model (templates: @backstage/plugin-scaffolder-common's), every relation
// (owner, system, domain, APIs, dependsOn) names an entity of the catalog, and every API points
// at a proto file that exists. The catalog-info.yaml each template renders is valid too.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  domainEntityV1alpha1Validator,
  EntityPolicies,
  FieldFormatEntityPolicy,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';
import { findTemplate, renderTemplate } from '@ameide/factory';
import { parameterSets } from '../testing/parameter-sets.js';

const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  templateEntityV1beta3Validator,
];

/** Passes the policies and exactly one kind validator (each throws on an invalid entity). */
async function validate(raw: Entity): Promise<Entity> {
  const entity = (await policy.enforce(raw)) ?? raw;
  let matched = 0;
  for (const v of kindValidators) if (await v.check(entity)) matched += 1;
  if (matched !== 1)
    throw new Error(`${entity.kind} ${entity.metadata.name}: no kind validator took it`);
  return entity;
}

function readEntities(file: string): Entity[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJS() as Entity;
  });
}

/**
 * What Backstage's placeholder processor does at ingestion: `{ $text: path }` becomes the text
 * of the file at `path` (relative to the entity's file). Entities are validated after it.
 */
function resolvePlaceholders(value: unknown, read: (path: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolvePlaceholders(v, read));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === '$text') return read(String(record.$text));
  return Object.fromEntries(keys.map((k) => [k, resolvePlaceholders(record[k], read)]));
}

interface Loaded {
  readonly entity: Entity;
  readonly file: string;
}

function loadCatalog(): Loaded[] {
  const root = join(repo, 'catalog-info.yaml');
  const [location] = readEntities(root) as [Entity & { spec: { targets: string[] } }];
  return [
    { entity: location, file: root },
    ...location.spec.targets.flatMap((target) => {
      const file = join(repo, target);
      return readEntities(file).map((entity) => ({ entity, file }));
    }),
  ];
}

/** Every relation an entity declares, as full refs, with the kind Backstage defaults it to. */
function relationsOf(entity: Entity): string[] {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const refs: string[] = [];
  const add = (value: unknown, defaultKind: string) => {
    for (const ref of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      refs.push(
        stringifyEntityRef(
          parseEntityRef(String(ref), { defaultKind, defaultNamespace: 'default' }),
        ),
      );
    }
  };
  if (entity.kind === 'Template') return refs; // its owner is checked below like the others
  add(spec.system, 'system');
  add(spec.domain, 'domain');
  add(spec.providesApis, 'api');
  add(spec.consumesApis, 'api');
  add(spec.dependsOn, 'component');
  return refs;
}

describe('the repository catalog', () => {
  const loaded = loadCatalog();

  it('has the built-in primitives, systems, APIs, resources and templates', () => {
    const refs = loaded.map((l) => stringifyEntityRef(l.entity));
    expect(refs).toEqual(
      expect.arrayContaining([
        'component:default/sales',
        'component:default/transformation',
        'component:default/process-runtime',
        'component:default/console',
        'component:default/ameide-operator',
        'system:default/order-to-cash',
        'system:default/lead-to-order',
        'api:default/sales-order-api',
        'resource:default/sales-db',
        'resource:default/sales-events',
        'resource:default/temporal-default',
        'template:default/domain-primitive',
        'template:default/process-primitive',
        'template:default/agent-primitive',
        'template:default/uisurface-primitive',
      ]),
    );
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('passes Backstage’s entity policies and kind validators', async () => {
    for (const { entity, file } of loaded) {
      const read = (path: string) => readFileSync(resolve(dirname(file), path), 'utf8');
      await validate(resolvePlaceholders(entity, read) as Entity);
    }
  });

  it('has every relation point at an entity of the catalog', () => {
    const known = new Set(loaded.map((l) => stringifyEntityRef(l.entity)));
    const dangling: string[] = [];
    for (const { entity } of loaded) {
      const owner = (entity.spec as { owner?: string } | undefined)?.owner;
      const refs = [
        ...relationsOf(entity),
        ...(owner
          ? [
              stringifyEntityRef(
                parseEntityRef(owner, { defaultKind: 'group', defaultNamespace: 'default' }),
              ),
            ]
          : []),
      ];
      for (const ref of refs)
        if (!known.has(ref)) dangling.push(`${stringifyEntityRef(entity)} -> ${ref}`);
    }
    expect(dangling).toEqual([]);
  });

  it('points every API at a proto file that exists', () => {
    const apis = loaded.filter((l) => l.entity.kind === 'API');
    expect(apis.length).toBeGreaterThan(3);
    for (const { entity, file } of apis) {
      const text = (entity.spec as { definition: { $text: string } }).definition.$text;
      expect(text, entity.metadata.name).toMatch(/\.proto$/);
      expect(existsSync(resolve(dirname(file), text)), text).toBe(true);
    }
  });
});

describe('catalog-info.yaml rendered by the templates', () => {
  for (const [name, sets] of Object.entries(parameterSets)) {
    it.each(Object.entries(sets))(`${name}: is valid for %s`, async (_label, values) => {
      const scaffold = await renderTemplate(await findTemplate(name), values);
      const files = scaffold.entries.filter(
        (e) => e.kind === 'file' && e.path.endsWith('catalog-info.yaml'),
      );
      expect(files).toHaveLength(1);
      const file = files[0]!;
      if (file.kind !== 'file') throw new Error('not a file');
      const rendered = new Map(
        scaffold.entries.flatMap((e) => (e.kind === 'file' ? [[e.path, e.content]] : [])),
      );
      const read = (path: string) => {
        const content = rendered.get(posix.normalize(posix.join(posix.dirname(file.path), path)));
        if (!content) throw new Error(`${file.path}: $text ${path} is not in the scaffold`);
        return content.toString('utf8');
      };
      const docs = parseAllDocuments(file.content.toString('utf8'));
      for (const d of docs) {
        expect(d.errors).toEqual([]);
        const entity = await validate(resolvePlaceholders(d.toJS(), read) as Entity);
        if (entity.kind === 'Component') expect(entity.metadata.name).toBe(values.name);
        if (typeof values.title === 'string') expect(entity.metadata.title).toContain(values.title);
      }
    });
  }
});
