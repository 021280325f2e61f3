#!/usr/bin/env node
// `npm run bench`: installs what the benchmarks need (npm dependencies,
// Postgres binaries), then runs bench/run.ts. Arguments select benchmarks.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  checkNode,
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
  ensureNats();
  ensureTemporal();
} catch (err) {
  process.stderr.write(`ameide setup: ${err.message}\n`);
  process.exit(1);
}
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const r = spawnSync(
  process.execPath,
  [tsx, join(root, 'bench', 'run.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
