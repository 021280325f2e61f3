import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

/** `apps/console`: the Vite root (holds `index.html`). */
export const consoleRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Where the production build goes. */
export const consoleDistDir = fileURLToPath(new URL('../../dist', import.meta.url));

/** The console's Vite configuration (shared by `vite.config.ts` and {@link buildConsole}). */
export function consoleViteConfig(overrides: { outDir?: string } = {}): InlineConfig {
  return {
    root: consoleRoot,
    configFile: false,
    logLevel: 'warn',
    // Loaded when Vite resolves its plugins, not when `ameide dev` imports this file.
    plugins: [import('@vitejs/plugin-react').then((m) => m.default())],
    build: {
      outDir: overrides.outDir ?? consoleDistDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 2048,
    },
  };
}
