// The reference renderer for tests: a template rendered by Backstage's own code. Step inputs
// are computed the way the scaffolder's workflow runner does (nunjitsu's renderValue over
// every string of the input, against { parameters, ... }), then the `fetch:template` action
// of @backstage/plugin-scaffolder-backend runs with a plain action context.
import { mkdtemp, readdir, readFile, lstat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createTemplateRenderer, type TemplateValue } from 'nunjitsu';
import type { TemplateEntity } from '../template/template-entity.js';

/** A rendered tree: posix path → bytes and permission bits (directories: `dir`). */
export type Tree = Map<string, { readonly content: Buffer; readonly mode: number } | 'dir'>;

/** Reads a directory into a {@link Tree}. */
export async function readTree(root: string, dir = root, tree: Tree = new Map()): Promise<Tree> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    const rel = relative(root, full).split(sep).join(posix.sep);
    if (e.isDirectory()) {
      tree.set(rel, 'dir');
      await readTree(root, full, tree);
    } else {
      tree.set(rel, { content: await readFile(full), mode: (await lstat(full)).mode & 0o777 });
    }
  }
  return tree;
}

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
};

/** Renders every `fetch:template` step of `template` with Backstage, into a new temp dir. */
export async function renderWithBackstage(
  template: TemplateEntity,
  parameters: Record<string, unknown>,
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const workspacePath = await mkdtemp(join(tmpdir(), 'ameide-backstage-'));
  const temps: string[] = [];
  const integrations = ScmIntegrations.fromConfig(new ConfigReader({}));
  const reader = {
    readUrl() {
      throw new Error('no URL reader in this test: templates are read from file://');
    },
    readTree() {
      throw new Error('no URL reader in this test: templates are read from file://');
    },
    search() {
      throw new Error('no URL reader in this test');
    },
  };
  const action = createFetchTemplateAction({ reader, integrations });
  const runner = createTemplateRenderer({ allowRegexExecution: true });
  const context = runner.prepareContext({
    parameters: parameters as TemplateValue,
    secrets: {},
    steps: {},
    user: {},
  });
  for (const step of template.steps.filter((s) => s.action === 'fetch:template')) {
    // NunjucksWorkflowRunner.render: every string rendered as a value; failures keep the string.
    const input = JSON.parse(JSON.stringify(step.input ?? {}), (_key, value: unknown) => {
      try {
        if (typeof value === 'string') return runner.renderValue(value, context);
      } catch {
        return value;
      }
      return value;
    }) as Record<string, unknown>;
    const ctx = {
      input,
      workspacePath,
      logger: silent,
      templateInfo: { baseUrl: `file://${join(template.dir, 'template.yaml')}` },
      async createTemporaryDirectory() {
        const d = await mkdtemp(join(tmpdir(), 'ameide-backstage-step-'));
        temps.push(d);
        return d;
      },
      output() {},
      async checkpoint<T>(opts: { fn: () => Promise<T> }) {
        return opts.fn();
      },
      getInitiatorCredentials() {
        return Promise.resolve({
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'none' },
        });
      },
      isDryRun: false,
      signal: new AbortController().signal,
      task: { id: 'test' },
      each: undefined,
    };
    await (action.handler as (c: unknown) => Promise<void>)(ctx);
  }
  return {
    dir: workspacePath,
    async cleanup() {
      await rm(workspacePath, { recursive: true, force: true });
      for (const d of temps) await rm(d, { recursive: true, force: true });
    },
  };
}
