import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
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
    plugins: [react()],
    build: {
      outDir: overrides.outDir ?? consoleDistDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 2048,
    },
  };
}
