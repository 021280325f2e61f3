import { pathToFileURL } from 'node:url';

interface SourceModules {
  /** Makes `import()` of TypeScript files work in this process, once. */
  enable(): Promise<void>;
}

/**
 * Imports a TypeScript module of the user's repository (a scaffolded domain's `src/index.ts`).
 * The `ameide` command runs compiled JavaScript without a TypeScript loader; it offers one
 * under `Symbol.for('ameide.source-modules')`, started on the first such import and resolving
 * `@ameide/*` to the modules the command itself runs. Elsewhere (tests, `AMEIDE_FROM_SOURCE=1`)
 * TypeScript already loads and nothing is offered.
 */
export async function importSourceModule(file: string): Promise<unknown> {
  const hook = (globalThis as Record<symbol, SourceModules | undefined>)[
    Symbol.for('ameide.source-modules')
  ];
  await hook?.enable();
  return import(pathToFileURL(file).href);
}
