#!/usr/bin/env node
// `npm start` (and `node scripts/ameide.mjs <command>`): installs npm
// dependencies on a fresh clone, then runs the `ameide` command in-process.
import { checkNode, ensureNodeModules, ensureTemporal } from './ensure.mjs';

try {
  checkNode();
  ensureNodeModules();
  // `ameide dev` runs processes on a Temporal dev server it spawns.
  if (process.argv[2] === 'dev' && !process.argv.includes('--temporal-address')) ensureTemporal();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
await import('../packages/cli/bin/ameide.js');
