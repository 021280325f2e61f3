import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

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

/**
 * Bundles the interpreter workflow (with feelin, ≈3 MB) and the OpenTelemetry workflow
 * interceptors once per process; workers and the replay test use the same bundle.
 */
export function getWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cached ??= bundleProcessWorkflows().catch((err: unknown) => {
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
export function bundleProcessWorkflows(
  workflowsPath: string = WORKFLOWS_PATH,
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
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
      return config;
    },
  });
}
