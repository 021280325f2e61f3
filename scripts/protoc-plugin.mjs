#!/usr/bin/env node
// Runs one of the code generator plugins of buf.gen.yaml for the Go and
// Python SDKs, installing it first when it is missing (pinned versions, built
// or installed into a cache outside the repository by ensure.mjs), so that
// `buf generate` works on a fresh clone with only Node, Go and Python:
//
//   node scripts/protoc-plugin.mjs go|connect-go|python|connect-python
//
// Buf speaks the plugin protocol over stdin/stdout; everything the set-up
// prints goes to stderr.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  ensureProtocGenConnectGo,
  ensureProtocGenGo,
  ensurePythonSdkEnv,
  root,
} from './ensure.mjs';

const plugins = {
  go: () => [ensureProtocGenGo()],
  'connect-go': () => [ensureProtocGenConnectGo()],
  // protoc's built-in Python generators, from grpcio-tools.
  python: () => [ensurePythonSdkEnv().python, join(root, 'scripts', 'protoc-gen-python.py')],
  'connect-python': () => [join(ensurePythonSdkEnv().bin, 'protoc-gen-connectrpc')],
};

const name = process.argv[2];
const plugin = name === undefined ? undefined : plugins[name];
if (!plugin) {
  process.stderr.write(
    `usage: node scripts/protoc-plugin.mjs ${Object.keys(plugins).join('|')} (got ${name ?? 'nothing'})\n`,
  );
  process.exit(2);
}
let command;
try {
  command = plugin();
} catch (err) {
  process.stderr.write(`protoc-plugin ${name}: ${err.message}\n`);
  process.exit(1);
}
const [cmd, ...args] = command;
const r = spawnSync(cmd, [...args, ...process.argv.slice(3)], { stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`protoc-plugin ${name}: ${cmd}: ${r.error.message}\n`);
  process.exit(1);
}
process.exit(r.status ?? 1);
