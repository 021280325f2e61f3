#!/usr/bin/env node
// The `ameide` command. The platform is written in TypeScript; this runs it compiled (see
// compiled.js: esbuild, cached by the hash of the sources, rebuilt when one changes), so there
// is still no build step to forget. AMEIDE_FROM_SOURCE=1 runs the sources through tsx instead.
import { register as registerHooks } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheRootsFor, compiledIn, workspaceEntries } from './compiled.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

if (process.env.AMEIDE_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  const entries = { main: fileURLToPath(new URL('../src/main.ts', import.meta.url)) };
  Object.assign(entries, workspaceEntries(root));
  let files;
  try {
    ({ files } = await compiledIn({ root, entries, cacheRoots: cacheRootsFor(root) }));
  } catch (err) {
    process.stderr.write(`ameide: ${err.message}\n`);
    process.exit(1);
  }
  // TypeScript loaded from source at run time (a scaffolded domain's `src/index.ts`, see
  // @ameide/factory) gets a loader then, and its `@ameide/*` imports are the compiled modules
  // this process runs: one AsyncLocalStorage, one error class, not copies.
  let enabled;
  globalThis[Symbol.for('ameide.source-modules')] = {
    enable() {
      enabled ??= import('tsx/esm/api').then(({ register }) => {
        register();
        const aliases = Object.fromEntries(
          Object.entries(files).map(([name, file]) => [name, pathToFileURL(file).href]),
        );
        registerHooks('./workspace-aliases.js', import.meta.url, { data: { aliases } });
      });
      return enabled;
    },
  };
  await import(pathToFileURL(files.main).href);
}
