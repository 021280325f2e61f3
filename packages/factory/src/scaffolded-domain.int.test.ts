// A scaffolded domain primitive is real code: rendered into a copy of the repository's layout,
// it typechecks under the repository's strict tsconfig, `buf lint` and `buf breaking` (against
// the repository's protos) are clean with its proto, and its own unit and integration tests
// pass (`npm test` of the generated package, on PGlite and on this run's Postgres server).
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

describe('a scaffolded domain primitive', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ameide-scaffolded-domain-'));
    // The repository's layout: its protos and buf config, its packages through node_modules.
    await cp(join(repo, 'proto'), join(root, 'proto'), { recursive: true });
    await cp(join(repo, 'buf.yaml'), join(root, 'buf.yaml'));
    await symlink(join(repo, 'node_modules'), join(root, 'node_modules'));
    await writeFile(
      join(root, 'tsconfig.json'),
      JSON.stringify({
        extends: join(repo, 'tsconfig.base.json'),
        include: ['domains/*/src/**/*.ts'],
      }),
    );
    // The root config's include for domains; servers are this run's (passed on below).
    await writeFile(
      join(root, 'vitest.config.mjs'),
      `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { pool: 'forks', include: ['domains/*/src/**/*.test.ts'], globalSetup: [${JSON.stringify(join(repo, 'packages/testing/src/global-setup.ts'))}], testTimeout: 60000, hookTimeout: 120000 } });
`,
    );
    const template = await findTemplate('domain-primitive');
    const scaffold = await renderTemplate(template, {
      name: 'invoicing',
      title: 'Facturación',
      entity: 'Invoice',
      owner: 'group:default/billing',
      system: 'order-to-cash',
      ownership: 'platform',
      namespace: 'ameide-apps',
    });
    await writeScaffold(scaffold, root);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('typechecks under the repository tsconfig', { timeout: 120_000 }, async () => {
    await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', root], {
      cwd: root,
    });
  });

  it('keeps buf lint and buf breaking clean', { timeout: 120_000 }, async () => {
    await run(bin('buf'), ['lint'], { cwd: root });
    await run(bin('buf'), ['breaking', '--against', repo], { cwd: root });
  });

  it('passes its own tests (npm test of the generated package)', { timeout: 240_000 }, async () => {
    const { stdout } = await run('npm', ['test'], {
      cwd: join(root, 'domains', 'invoicing'),
      env: {
        ...process.env,
        AMEIDE_TEST_PG_URL: inject('pgAdminUrl'),
        AMEIDE_TEST_NATS_URL: inject('natsUrl'),
        AMEIDE_TEST_TEMPORAL_ADDRESS: inject('temporalAddress'),
        AMEIDE_TEST_KAFKA_BROKERS: inject('kafka').brokers.join(','),
        AMEIDE_TEST_S3_URL: (() => {
          const s3 = inject('s3');
          const u = new URL(s3.endpoint);
          u.username = s3.accessKeyId;
          u.password = s3.secretAccessKey;
          return u.toString().replace(/\/$/, '');
        })(),
        NO_COLOR: '1',
      },
    });
    // eslint-disable-next-line no-control-regex
    const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/Tests\s+12 passed \(12\)/);
  });
});
