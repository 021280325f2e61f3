import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptsConnections,
  findVersitygwBinary,
  startVersitygw,
  versitygwCacheDir,
  VERSITYGW_VERSION,
  type Versitygw,
} from '@ameide/launch';

// Starts servers of its own (the run's S3 server may be an external one): needs the binary.
describe.skipIf(Boolean(process.env['AMEIDE_TEST_S3_URL']))('startVersitygw', () => {
  let dataDir: string;
  let server: Versitygw;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ameide-launch-vgw-'));
    server = await startVersitygw({ binary: findVersitygwBinary(), dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the S3 API on 127.0.0.1 and refuses unsigned requests', async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.region).toBe('us-east-1');
    const answer = await fetch(`${server.endpoint}/`);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('server')).toBe('VERSITYGW');
    expect(await answer.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('gives every server its own random root account, kept out of its command line', () => {
    expect(server.accessKeyId).toMatch(/^ameide[0-9a-f]{12}$/);
    expect(server.secretAccessKey).toMatch(/^[0-9a-f]{48}$/);
    const commandLine = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
    expect(commandLine).toContain(dataDir);
    expect(commandLine).not.toContain(server.secretAccessKey);
  });

  it('refuses a port that is taken, naming it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ameide-launch-vgw-'));
    try {
      await expect(
        startVersitygw({ binary: server.binary, dataDir: other, port: server.port }),
      ).rejects.toThrow(
        `versitygw cannot listen on 127.0.0.1:${server.port}: address already in use`,
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('stops on stop(): the port closes and the data directory stays', async () => {
    const own = await mkdtemp(join(tmpdir(), 'ameide-launch-vgw-'));
    try {
      const stopping = await startVersitygw({ binary: server.binary, dataDir: own });
      expect(await acceptsConnections(stopping.port)).toBe(true);
      await stopping.stop();
      await stopping.stop();
      expect(await acceptsConnections(stopping.port)).toBe(false);
      expect(existsSync(own)).toBe(true);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});

describe('findVersitygwBinary', () => {
  it('looks in the cache that scripts/ensure-versitygw.mjs builds into, for the same version', () => {
    const script = readFileSync(
      new URL('../../../scripts/ensure-versitygw.mjs', import.meta.url),
      'utf8',
    );
    expect(script).toContain(`export const VERSITYGW_VERSION = '${VERSITYGW_VERSION}';`);
    expect(versitygwCacheDir()).toMatch(new RegExp(`/ameide/bin/versitygw-${VERSITYGW_VERSION}$`));
  });

  it('names the explicit path it could not find and how to build the binary', () => {
    expect(() => findVersitygwBinary({ binary: '/nonexistent/versitygw' })).toThrow(
      /versitygw not found at \/nonexistent\/versitygw\. Build it once with `node scripts\/ensure-versitygw\.mjs`/,
    );
  });
});
