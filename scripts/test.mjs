#!/usr/bin/env node
// `npm test`: installs what the tests need when it is missing, then runs every
// test (unit, integration against real servers, e2e) with Vitest. Extra
// arguments go to Vitest, e.g. `npm test -- packages/server`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  checkNode,
  ensureChromium,
  ensureNats,
  ensureNodeModules,
  ensurePostgres,
  ensureTemporal,
  root,
} from './ensure.mjs';

try {
  checkNode();
  ensureNodeModules();
  ensurePostgres();
  ensureTemporal();
  ensureNats();
  ensureChromium();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
// Build the console once up front: end-to-end tests start `ameide dev`, which serves it.
const build = spawnSync('npm', ['run', 'build', '--silent', '-w', '@ameide/console'], {
  stdio: 'inherit',
  cwd: root,
});
if (build.status !== 0) process.exit(build.status ?? 1);
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
