import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { cachedWorkflowBundle, type BuiltWorkflowBundle } from './workflow-bundle-cache.js';

/** The interpreter's workflow entry (`src/workflow/index.ts`). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflow/index.ts', import.meta.url));

/**
 * Workflow interceptor modules bundled with the interpreter: OpenTelemetry spans for workflow
 * execution, signals, updates, queries, and scheduled activities/children. They add headers to
 * commands, never commands of their own; the replay test runs them over the recorded histories.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow'),
];

let cached: Promise<WorkflowBundleWithSourceMap> | undefined;

const requireHere = createRequire(import.meta.url);

/** Options of {@link getWorkflowBundle}. */
export interface WorkflowBundleOptions {
  /**
   * Keep the bundle in this directory and use it again while every file it
   * was built from is unchanged (`ameide dev`: `<home>/cache`), instead of
   * bundling on every start (≈2-3 s).
   */
  readonly cacheDir?: string;
}

/**
 * Bundles the interpreter workflow (with feelin, ≈3 MB) and the OpenTelemetry workflow
 * interceptors once per process; workers and the replay test use the same bundle.
 */
export function getWorkflowBundle(
  options: WorkflowBundleOptions = {},
): Promise<WorkflowBundleWithSourceMap> {
  cached ??= (
    options.cacheDir === undefined
      ? bundleProcessWorkflows()
      : cachedWorkflowBundle(options.cacheDir, bundleKey(WORKFLOWS_PATH), () =>
          bundleWithSources(WORKFLOWS_PATH),
        )
  ).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/**
 * Bundles a workflow entry the way the interpreter is bundled (interceptors, TypeScript sources
 * with NodeNext `.js` specifiers resolved to `.ts`), e.g. an entry that re-exports
 * `processInstance` next to a benchmark baseline. Uncached.
 */
export async function bundleProcessWorkflows(
  workflowsPath: string = WORKFLOWS_PATH,
): Promise<WorkflowBundleWithSourceMap> {
  return (await bundleWithSources(workflowsPath)).bundle;
}

/** What the bundle depends on besides its files: the bundler and how it is called. */
function bundleKey(workflowsPath: string): string {
  const version = (name: string) =>
    (requireHere(`${name}/package.json`) as { version: string }).version;
  return JSON.stringify({
    format: 2,
    worker: version('@temporalio/worker'),
    webpack: version('webpack'),
    workflowsPath,
    interceptors: WORKFLOW_INTERCEPTOR_MODULES,
  });
}

async function bundleWithSources(workflowsPath: string): Promise<BuiltWorkflowBundle> {
  const files = new Set<string>();
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
    logger: {
      trace() {},
      debug() {},
      info() {},
      warn() {},
      error: (m: string) => console.error(m),
      log() {},
    },
    webpackConfigHook: (config) => {
      config.resolve = {
        ...config.resolve,
        extensionAlias: { '.js': ['.ts', '.js'] },
        conditionNames: ['import', 'module', 'default'],
      };
      // Every file the compilation read, for the cache to check.
      config.plugins = [
        ...(config.plugins ?? []),
        {
          apply: (compiler) =>
            compiler.hooks.afterCompile.tap('ameide-workflow-sources', (compilation) => {
              for (const file of compilation.fileDependencies) files.add(file);
            }),
        },
      ];
      return config;
    },
  });
  // The generated entry lives in the bundler's memory file system.
  return {
    bundle: { ...bundle, code: asciiOnly(bundle.code) },
    files: [...files].filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile()),
  };
}

/**
 * `code` with every character outside ASCII written as a `\u` escape. V8 keeps a source with a
 * single such character (a dash in a comment, a symbol in a string) as a two-byte string: the
 * bundle's 5.5 MB (3.5 MB of them its inline source map) then take 11 MB in the worker's
 * isolate and again in the workflow thread's. The escapes mean the same character wherever the
 * bundle has them (comments, string and template literals, regular expressions, identifiers);
 * only a raw template string would read them differently, and the tests replay the bundle.
 */
export function asciiOnly(code: string): string {
  return code.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
