import { defineConfig } from 'vite';
import { consoleViteConfig } from './src/server/vite-config.js';

// `npm run build -w @ameide/console`; `ameide dev` builds through buildConsole() instead.
// For `vite` (dev server) set AMEIDE_URL to proxy the API to a running `ameide dev`.
const target = process.env['AMEIDE_URL'] ?? 'http://127.0.0.1:8080';
export default defineConfig({
  ...consoleViteConfig(),
  server: { proxy: { '^/(ameide\\.|dev/token)': { target, changeOrigin: false } } },
});
