#!/usr/bin/env node
// Architecture guards that eslint does not express:
// - domain packages (domains/*) import no broker client: they publish through
//   the outbox only (ARCHITECTURE.md, invariant 3);
// - workspace packages depend only on packages of a lower layer (ARCHITECTURE.md);
// - handler packages read the caller from @ameide/context, not from the service
//   host: @ameide/server only in their devDependencies and only in tests and
//   test support (`*.test.ts`, `src/testing/`);
// - ARCHITECTURE.md's package table lists every package of scripts/layers.json on its layer.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './ensure.mjs';

const layers = JSON.parse(readFileSync(join(root, 'scripts', 'layers.json'), 'utf8'));
const problems = [];

function walk(dir, out = []) {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'gen' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

const brokerClients = [/^@nats-io\//, /^nats$/, /^kafkajs$/, /^amqplib$/, /^@temporalio\/client$/];
if (existsSync(join(root, 'domains'))) {
  for (const d of readdirSync(join(root, 'domains'))) {
    for (const f of walk(join(root, 'domains', d))) {
      for (const m of readFileSync(f, 'utf8').matchAll(
        /from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      )) {
        const spec = m[1] ?? m[2];
        if (brokerClients.some((re) => re.test(spec)))
          problems.push(
            `${f}: domain code imports broker client "${spec}"; publish through the outbox`,
          );
      }
    }
  }
}

const workspaceDirs = ['packages', 'domains', 'apps'].flatMap((g) =>
  existsSync(join(root, g)) ? readdirSync(join(root, g)).map((d) => join(root, g, d)) : [],
);
for (const dir of workspaceDirs) {
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) continue;
  const pkg = JSON.parse(readFileSync(pj, 'utf8'));
  const layer = layers[pkg.name];
  if (layer === undefined) {
    problems.push(`${pkg.name}: not in scripts/layers.json (add it and to ARCHITECTURE.md)`);
    continue;
  }
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  for (const dep of Object.keys(deps).filter((d) => d.startsWith('@ameide/'))) {
    const depLayer = layers[dep];
    if (depLayer === undefined) problems.push(`${pkg.name} depends on unknown package ${dep}`);
    else if (depLayer >= layer)
      problems.push(`${pkg.name} (layer ${layer}) may not depend on ${dep} (layer ${depLayer})`);
  }
}

// ARCHITECTURE.md's package table and scripts/layers.json say the same: every package in
// both, on the same layer.
const documented = new Map();
for (const m of readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8').matchAll(
  /^\| (\d+) \| `(@ameide\/[a-z0-9-]+)`/gm,
)) {
  if (documented.has(m[2])) problems.push(`${m[2]}: two rows in ARCHITECTURE.md's package table`);
  documented.set(m[2], Number(m[1]));
}
for (const [name, layer] of Object.entries(layers)) {
  if (!documented.has(name))
    problems.push(`${name}: in scripts/layers.json, not in ARCHITECTURE.md's package table`);
  else if (documented.get(name) !== layer)
    problems.push(
      `${name}: layer ${layer} in scripts/layers.json, ${documented.get(name)} in ARCHITECTURE.md`,
    );
}
for (const name of documented.keys())
  if (!(name in layers))
    problems.push(`${name}: in ARCHITECTURE.md's package table, not in scripts/layers.json`);

// Packages whose handlers need the caller but none of the host's features (pino,
// jose, OTel, the listener). @ameide/tenancy is not among them: its directory
// builds OIDC verifiers (`createOidcVerifier`) for tenant realms.
const contextOnly = new Set([
  '@ameide/events',
  '@ameide/transformation',
  '@ameide/process-runtime',
  '@ameide/projections',
  '@ameide/agent-runtime',
]);
for (const dir of workspaceDirs) {
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) continue;
  const pkg = JSON.parse(readFileSync(pj, 'utf8'));
  if (!contextOnly.has(pkg.name) && !dir.startsWith(join(root, 'domains'))) continue;
  if (pkg.dependencies?.['@ameide/server'])
    problems.push(
      `${pkg.name}: @ameide/server is a run-time dependency; take the caller from @ameide/context (the host only in devDependencies, for tests)`,
    );
  const src = join(dir, 'src');
  if (!existsSync(src)) continue;
  for (const f of walk(src)) {
    if (/\.test\.tsx?$/.test(f) || f.startsWith(join(src, 'testing'))) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(
      /from\s+['"](@ameide\/server[^'"]*)['"]|import\(\s*['"](@ameide\/server[^'"]*)['"]\s*\)/g,
    ))
      problems.push(
        `${f}: imports "${m[1] ?? m[2]}" outside tests; take the caller from @ameide/context`,
      );
  }
}

if (problems.length) {
  for (const p of problems) process.stderr.write(`guard: ${p}\n`);
  process.exit(1);
}
console.log('guards ok');
