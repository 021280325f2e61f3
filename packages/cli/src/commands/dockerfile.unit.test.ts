import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVABLE_PRIMITIVES } from '@ameide/platform';

// No Docker engine runs the image builds here; this keeps the Dockerfile in step with the
// primitives `ameide serve` knows and with the repository it copies from.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dockerfile = readFileSync(`${root}deploy/docker/Dockerfile`, 'utf8');
const dockerignore = readFileSync(`${root}.dockerignore`, 'utf8').split('\n');

describe('deploy/docker/Dockerfile', () => {
  it('has one target per primitive, each running `ameide serve <primitive>`', () => {
    const targets = [...dockerfile.matchAll(/^FROM runtime AS (\S+)\n(.*)$/gm)].map((m) => ({
      target: m[1],
      entrypoint: m[2],
    }));
    expect(targets.map((t) => t.target).sort()).toEqual([...SERVABLE_PRIMITIVES].sort());
    for (const { target, entrypoint } of targets)
      expect(entrypoint).toBe(
        `ENTRYPOINT ["node", "packages/cli/bin/ameide.js", "serve", "${target}"]`,
      );
  });

  it('copies only paths that exist and the build context keeps', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(`${root}${source}`), source).toBe(true);
      expect(dockerignore, source).not.toContain(source);
    }
    expect(existsSync(`${root}packages/cli/bin/ameide.js`)).toBe(true);
  });

  it('runs as an unprivileged user with production dependencies only', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  it('compiles the command at image build time, before it runs as the unprivileged user', () => {
    expect(dockerfile).toMatch(/^RUN node packages\/cli\/bin\/ameide\.js --version\nUSER node$/m);
  });
});
