import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startDev, type DevPlatform } from './cli-harness.js';

describe('ameide dev + artifact commands, as a user types them', () => {
  let home: string;
  let dev: DevPlatform;
  const cli = (...args: string[]) =>
    runCli([
      '--home',
      home,
      ...args,
      ...(['login', 'token'].includes(args[0]!) ? [] : ['--url', dev.url]),
    ]);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ameide-e2e-'));
    dev = await startDev(home);
  });
  afterAll(async () => {
    if (dev.child.exitCode === null) await dev.stop('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  // Two starts of ameide dev and a dozen CLI processes: over a minute when other test files run beside it.
  it(
    'signs in, creates, revises, publishes and reads back an artifact; stops cleanly; data survives a restart',
    { timeout: 240_000 },
    async () => {
      expect(dev.output()).toMatch(/database — PGlite in .*data/);
      const login = await cli(
        'login',
        '--dev',
        '--tenant',
        'acme',
        '--user',
        'alice',
        '--groups',
        'sales,ops',
      );
      expect(login.code).toBe(0);
      const who = await cli('whoami');
      expect(who.stdout).toBe('tenant acme, user alice, groups sales, ops\n');

      const file = join(home, 'policy.md');
      await writeFile(file, '# Refund policy\nv1\n');
      const created = await cli(
        'artifact',
        'create',
        'document',
        'Refund policy',
        '--file',
        file,
        '--json',
      );
      expect(created.code, created.stderr).toBe(0);
      const a = JSON.parse(created.stdout) as {
        id: string;
        contentType: string;
        streamVersion: string;
      };
      expect(a.contentType).toBe('text/markdown');
      expect(a.streamVersion).toBe('1');

      const stale = await runCli(
        ['--home', home, 'artifact', 'revise', a.id, '--expected-version', '5', '--url', dev.url],
        { input: 'nope' },
      );
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain('ameide: aborted: artifact');
      expect(stale.stderr).toContain('expected version 5, actual version 1');

      const revised = await runCli(
        ['--home', home, 'artifact', 'revise', a.id, '--expected-version', '1', '--url', dev.url],
        {
          input: '# Refund policy\nv2\n',
        },
      );
      expect(revised.code, revised.stderr).toBe(0);
      expect((await cli('artifact', 'publish', a.id)).code).toBe(0);

      const list = await cli('artifact', 'list', '--kind', 'document');
      expect(list.stdout).toMatch(/^ID\s+KIND\s+NAME\s+STATUS/);
      expect(list.stdout).toMatch(
        new RegExp(`${a.id}\\s+document\\s+Refund policy\\s+published\\s+3\\s+v1`),
      );
      const content = await cli(
        'artifact',
        'get',
        'document/Refund policy',
        '--version',
        '1',
        '--content',
      );
      expect(content.stdout).toBe('# Refund policy\nv2\n');
      const past = await cli('artifact', 'get', a.id, '--at', '1', '--content');
      expect(past.stdout).toBe('# Refund policy\nv1\n');
      const history = await cli('artifact', 'history', a.id);
      expect(
        history.stdout
          .split('\n')
          .filter((l) => /^\d/.test(l))
          .map((l) => l.split(/\s+/)[1]),
      ).toEqual([
        'transformation.artifact.created.v1',
        'transformation.artifact.revised.v1',
        'transformation.artifact.published.v1',
      ]);

      const bad = await cli('artifact', 'create', 'spreadsheet', 'x');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(
        "value 'spreadsheet' is invalid for argument 'kind'. one of process_definition",
      );

      expect(await dev.stop('SIGINT')).toBe(0);
      await expect(readFile(join(home, 'dev.pid'), 'utf8')).rejects.toThrow();

      dev = await startDev(home);
      const again = await cli('artifact', 'get', a.id, '--latest-published', '--content');
      expect(again.stdout).toBe('# Refund policy\nv2\n');
    },
  );

  // Each command is a process of its own (about 2 s each here, more under load).
  it(
    "shows the demo tenant's projections and Graph, and rebuilds one, as a user types it",
    {
      timeout: 240_000,
    },
    async () => {
      expect(
        (
          await cli(
            'login',
            '--dev',
            '--tenant',
            'demo',
            '--user',
            'ops',
            '--groups',
            'platform-admin',
          )
        ).code,
      ).toBe(0);
      const list = await cli('projection', 'list');
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^NAME\s+STATE\s+APPLIED\s+BEHIND/);
      expect(list.stdout).toMatch(/\norder-to-cash\s+running\s+\d+\s+\d+/);
      expect(list.stdout).toMatch(/\ngraph\s+running\s+\d+/);

      const confirm = 'method:ameide.sales.v1.OrderService/ConfirmOrder';
      const impact = await cli('graph', 'impact', confirm);
      expect(impact.code, impact.stderr).toBe(0);
      expect(impact.stdout).toMatch(
        new RegExp(
          `process:order-to-cash\\s+1\\s+process:order-to-cash -calls-> ${confirm.replaceAll('.', '\\.')}`,
        ),
      );
      const path = await cli('graph', 'path', 'process:order-to-cash', 'projection:order-to-cash');
      expect(path.stdout.split('\n')[0]).toMatch(
        /^process:order-to-cash -calls-> method:ameide\.sales\.v1\.OrderService\/\w+ -served_by-> domain:sales -emits-> event:sales\.[a-z_.]+ -consumed_by-> projection:order-to-cash$/,
      );
      const past = await cli(
        'graph',
        'search',
        'order-to-cash',
        '--kind',
        'process',
        '--at',
        'order-to-cash@1',
      );
      expect(past.stdout).toMatch(/process:order-to-cash\s+process\s+.*version=1/);
      const missing = await cli('graph', 'neighbours', 'process:nope');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('ameide: not_found: no node "process:nope"');
      const badAt = await cli('graph', 'search', '--at', 'order-to-cash');
      expect(badAt.code).toBe(1);
      expect(badAt.stderr).toContain('expected <artifact name>@<version>');

      const rebuilt = await cli('projection', 'rebuild', 'graph');
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toMatch(
        /^graph rebuilt from postgres: \d+ events in [\d.]+s, swapped in\n$/,
      );
      const status = await cli('projection', 'status', 'graph');
      expect(status.stdout).toMatch(/last rebuild: swapped from postgres/);
      expect((await cli('graph', 'impact', confirm)).stdout).toBe(impact.stdout);

      expect((await cli('login', '--dev', '--tenant', 'demo', '--user', 'alice')).code).toBe(0);
      const denied = await cli('projection', 'rebuild', 'graph');
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('ameide: permission_denied:');
    },
  );

  it('refuses a second dev on the same state directory, and a port in use, with clear messages', async () => {
    const port = new URL(dev.url).port;
    const second = await runCli(['--home', home, 'dev', '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another ameide dev \(pid \d+\) is using/);
    const otherHome = await mkdtemp(join(tmpdir(), 'ameide-e2e-'));
    try {
      const busy = await runCli(['--home', otherHome, 'dev', '--port', port]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await rm(otherHome, { recursive: true, force: true });
    }
  });
});
