// FactoryService over the wire: ListTemplates names the repository's templates, and
// ProposeScaffold answers a template's files as a patch that `git apply` turns into exactly the
// tree `ameide scaffold` renders; bad input is invalid_argument naming `values.<field>`, a
// tenant-owned primitive for another tenant is permission_denied, a path is not a template
// name, and nothing is written. An agent can use it as a `propose` tool.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintAgentDefinition } from '@ameide/agent-definition';
import { findTemplate, renderTemplate, writeScaffold } from '@ameide/factory';
import { readTree } from '@ameide/factory/testing';
import { createAmeideClient, isAmeideError, type AmeideClient } from '@ameide/sdk';
import type { ServiceHost } from '@ameide/server';
import { startTestHost } from '@ameide/server/testing';
import { factoryServiceRoutes } from './factory.js';

const run = promisify(execFile);
const values = {
  name: 'invoicing',
  title: 'Facturación',
  entity: 'Invoice',
  owner: 'group:sales',
  system: 'order-to-cash',
  ownership: 'platform',
  namespace: 'ameide-apps',
};

describe('FactoryService', () => {
  let host: ServiceHost;
  let acme: AmeideClient;
  let work: string;

  beforeAll(async () => {
    const test = await startTestHost({
      primitive: { type: 'domain', name: 'factory' },
      services: [factoryServiceRoutes()],
      client: createAmeideClient,
    });
    host = test.host;
    acme = await test.clientFor('acme');
    work = await mkdtemp(join(tmpdir(), 'ameide-factory-service-'));
  });
  afterAll(async () => {
    await host.close();
    await rm(work, { recursive: true, force: true });
  });

  it('lists the templates with their parameter schemas', async () => {
    const { templates } = await acme.factory.listTemplates({});
    expect(templates.map((t) => t.name)).toEqual([
      'agent-primitive',
      'domain-primitive',
      'process-primitive',
      'uisurface-primitive',
    ]);
    const domain = templates.find((t) => t.name === 'domain-primitive')!;
    expect(JSON.parse(domain.parameterSchemas[0]!)).toMatchObject({
      required: ['name', 'owner', 'system'],
    });
  });

  it('proposes a scaffold as a patch that applies to the same tree ameide scaffold writes', async () => {
    const res = await acme.factory.proposeScaffold({
      template: 'domain-primitive',
      valuesJson: JSON.stringify(values),
    });
    expect(res.skippedSteps.map((s) => s.action)).toEqual([
      'publish:github:pull-request',
      'catalog:register',
    ]);
    const applied = join(work, 'applied');
    await run('git', ['init', '-q', applied]);
    await writeFile(join(work, 'proposal.patch'), res.patch);
    await run('git', ['apply', join(work, 'proposal.patch')], { cwd: applied });
    const expected = join(work, 'expected');
    await writeScaffold(
      await renderTemplate(await findTemplate('domain-primitive'), values),
      expected,
    );
    const ours = await readTree(applied);
    ours.delete('.git');
    for (const key of [...ours.keys()]) if (key.startsWith('.git/')) ours.delete(key);
    const theirs = await readTree(expected);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [path, entry] of theirs) {
      const mine = ours.get(path)!;
      if (entry !== 'dir' && mine !== 'dir')
        expect(mine.content.equals(entry.content), path).toBe(true);
    }
    expect(res.files.map((f) => f.path)).toContain('domains/invoicing/deploy/domain.yaml');
  });

  it.each([
    [
      'an invalid name',
      { template: 'domain-primitive', valuesJson: JSON.stringify({ ...values, name: 'Bad!' }) },
      'invalid_argument',
      'values.name',
    ],
    [
      'a missing parameter',
      { template: 'domain-primitive', valuesJson: JSON.stringify({ name: 'invoicing' }) },
      'invalid_argument',
      'values.owner',
    ],
    [
      'a reserved namespace',
      {
        template: 'domain-primitive',
        valuesJson: JSON.stringify({
          ...values,
          ownership: 'tenant',
          tenant: 'acme',
          sku: 'Shared',
        }),
      },
      'invalid_argument',
      'values.namespace',
    ],
    [
      "another tenant's primitive",
      {
        template: 'domain-primitive',
        valuesJson: JSON.stringify({
          ...values,
          ownership: 'tenant',
          tenant: 'globex',
          sku: 'Shared',
          namespace: 'tenant-globex-prod-cust',
        }),
      },
      'permission_denied',
      'values.tenant',
    ],
    [
      'a path for a template',
      { template: '../../etc', valuesJson: '{}' },
      'invalid_argument',
      'template',
    ],
    ['an unknown template', { template: 'nope', valuesJson: '{}' }, 'not_found', 'template'],
    [
      'values that are not JSON',
      { template: 'domain-primitive', valuesJson: '{' },
      'invalid_argument',
      'values_json',
    ],
  ])('refuses %s, naming the field', async (_what, req, code, field) => {
    const err = await acme.factory.proposeScaffold(req).catch((e: unknown) => e);
    expect(isAmeideError(err) && err.code).toBe(code);
    expect(isAmeideError(err) && err.fieldViolations.map((v) => v.field)).toContain(field);
  });

  it('is a valid propose-tier tool for an agent', () => {
    const lint = lintAgentDefinition({
      schemaVersion: 1,
      name: 'primitive-maker',
      model: { provider: 'scripted', name: 'script' },
      systemPrompt: 'Propose new primitives from the templates.',
      tools: [
        {
          name: 'list_templates',
          rpc: 'ameide.factory.v1.FactoryService/ListTemplates',
          risk: 'read',
        },
        {
          name: 'propose_scaffold',
          rpc: 'ameide.factory.v1.FactoryService/ProposeScaffold',
          risk: 'propose',
        },
      ],
      scope: { services: ['ameide.factory.v1.FactoryService'] },
      limits: { maxSteps: 4, maxToolCalls: 4, tokenBudget: 2000, timeoutMs: 30_000 },
    });
    expect(lint.violations.map((v) => `${v.field}: ${v.description}`)).toEqual([]);
  });
});
