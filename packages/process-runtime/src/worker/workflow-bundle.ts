import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** The interpreter's workflow entry (`src/workflow/index.ts`). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflow/index.ts', import.meta.url));

let cached: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * Bundles the interpreter workflow (with feelin, ≈3 MB) once per process. Sources are
 * TypeScript with NodeNext `.js` specifiers, so webpack resolves `.js` to `.ts` too.
 */
export function getWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cached ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} } as never,
    webpackConfigHook: (config) => {
      config.resolve = {
        ...config.resolve,
        extensionAlias: { '.js': ['.ts', '.js'] },
        conditionNames: ['import', 'module', 'default'],
      };
      return config;
    },
  }).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
