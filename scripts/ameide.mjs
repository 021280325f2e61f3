#!/usr/bin/env node
// `npm start` (and `node scripts/ameide.mjs <command>`): installs npm
// dependencies on a fresh clone, then runs the `ameide` command in-process.
import { checkNode, ensureNodeModules } from './ensure.mjs';

try {
  checkNode();
  ensureNodeModules();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
await import('../packages/cli/bin/ameide.js');
