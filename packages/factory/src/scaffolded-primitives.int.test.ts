// Scaffolded primitives are real code: each template rendered once into a copy of the
// repository's layout typechecks under the repository's strict tsconfig, and its generated
// package's own tests pass (`npm test` in it, on this run's Postgres and Temporal servers). The
// domain's proto keeps `buf lint` and `buf breaking` (against the repository's protos) clean.
// Run once per template, not per parameter set.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findTemplate, renderTemplate, writeScaffold } from '@ameide/factory';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..', '..');
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);
const folders = ['domains', 'processes', 'agents'];

/** This run's servers, for the nested Vitest run (so it starts none of its own). */
function serverEnv(): NodeJS.ProcessEnv {
  const s3 = inject('s3');
  const u = new URL(s3.endpoint);
  u.username = s3.accessKeyId;
  u.password = s3.secretAccessKey;
  const kc = inject('keycloak');
  const k = new URL(kc.url);
  k.username = encodeURIComponent(kc.admin.username);
  k.password = encodeURIComponent(kc.admin.password);
  return {
    ...process.env,
    AMEIDE_TEST_PG_URL: inject('pgAdminUrl'),
    AMEIDE_TEST_NATS_URL: inject('natsUrl'),
    AMEIDE_TEST_TEMPORAL_ADDRESS: inject('temporalAddress'),
    AMEIDE_TEST_KAFKA_BROKERS: inject('kafka').brokers.join(','),
    AMEIDE_TEST_S3_URL: u.toString().replace(/\/$/, ''),
    AMEIDE_TEST_KEYCLOAK_URL: k.toString().replace(/\/$/, ''),
    NO_COLOR: '1',
  };
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('scaffolded primitives', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ameide-scaffolded-'));
    // The repository's layout: its protos and buf config, its packages through node_modules.
    await cp(join(repo, 'proto'), join(root, 'proto'), { recursive: true });
    await cp(join(repo, 'buf.yaml'), join(root, 'buf.yaml'));
    await symlink(join(repo, 'node_modules'), join(root, 'node_modules'));
    await writeFile(
      join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: join(repo, 'tsconfig.base.json'),
        include: [
          ...folders.map((f) => `${f}/*/src/**/*.ts`),
          join(repo, 'packages/*/src/**/*.d.ts'),
        ],
      }),
    );
    // The root config's includes; the servers are this run's (passed on in serverEnv).
    await writeFile(
      join(root, 'vitest.config.mjs'),
      `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { pool: 'forks', include: ${JSON.stringify(folders.map((f) => `${f}/*/src/**/*.test.ts`))}, globalSetup: [${JSON.stringify(join(repo, 'packages/testing/src/global-setup.ts'))}], testTimeout: 120000, hookTimeout: 120000 } });
`,
    );
    const common = {
      owner: 'group:default/billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    };
    for (const [template, values] of [
      ['domain-primitive', { name: 'invoicing', title: 'Facturación', entity: 'Invoice' }],
      ['process-primitive', { name: 'invoice-approval', reviewerGroup: 'finance' }],
      [
        'agent-primitive',
        { name: 'order-helper', tools: ['get_order', 'list_orders', 'propose_cancel_order'] },
      ],
    ] as const) {
      const scaffold = await renderTemplate(await findTemplate(template), { ...common, ...values });
      await writeScaffold(scaffold, root);
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('typechecks under the repository tsconfig', { timeout: 180_000 }, async () => {
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', root], { cwd: root }).catch(
      (err: Error & { stdout?: string }) => {
        throw new Error(`tsc found errors in the scaffolded code:\n${err.stdout ?? err.message}`);
      },
    );
  });

  it(
    'keeps buf lint and buf breaking clean with the domain proto',
    { timeout: 120_000 },
    async () => {
      await run(bin('buf'), ['lint'], { cwd: root });
      await run(bin('buf'), ['breaking', '--against', repo], { cwd: root });
    },
  );

  it.each([
    ['domain-primitive', 'domains/invoicing', 12],
    ['process-primitive', 'processes/invoice-approval', 5],
    ['agent-primitive', 'agents/order-helper', 3],
  ])(
    '%s: npm test of the generated package passes',
    { timeout: 300_000 },
    async (_t, dir, count) => {
      const { stdout } = await run('npm', ['test'], { cwd: join(root, dir), env: serverEnv() });
      expect(plain(stdout)).toMatch(new RegExp(`Tests\\s+${count} passed \\(${count}\\)`));
    },
  );
});
