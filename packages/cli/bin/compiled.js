// The `ameide` command runs compiled JavaScript, not TypeScript through a loader: esbuild
// bundles the workspace's sources (third-party packages stay in node_modules) into a cache
// directory, once per change of the sources. A loader (tsx) costs a thread of its own and the
// transformed sources in memory for as long as the process runs (about 60-80 MB for
// `ameide dev`), and seconds of transformation at start.
//
// The cache is keyed by content: the hash of every file the bundle was built from, of the
// lock file, of esbuild's version and of these build options. A process checks the hashes
// (milliseconds), rebuilds when one differs (about a second), and several processes may build
// at once: each builds into a directory of its own and the first rename wins.
//
// This file is plain JavaScript: it runs before anything is compiled.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when the build options change in a way the key does not see. */
const FORMAT = 1;
/** Builds older than this, other than the newest and those in use, are removed after a build. */
const KEEP_OLD_MS = 60 * 60 * 1000;

const MANIFEST = 'manifest.json';
/** `<build>/.in-use-<pid>`: the process `pid` runs that build. */
const IN_USE = '.in-use-';

/**
 * The workspace packages' entry modules, as `{ '@ameide/x': '/abs/packages/x/src/index.ts' }`:
 * every export of a workspace package that is a TypeScript module, except test helpers. The
 * command's own entry is among them; the others let code loaded from source at run time (a
 * scaffolded domain) import the very modules the command runs, not copies of them.
 */
export function workspaceEntries(root) {
  const entries = {};
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const pattern of rootPkg.workspaces ?? []) {
    const base = join(root, pattern.replace(/\/\*$/, ''));
    if (!existsSync(base)) continue;
    for (const dir of readdirSync(base).sort()) {
      const file = join(base, dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      const exports = typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {});
      for (const [sub, target] of Object.entries(exports)) {
        if (typeof target !== 'string' || !target.endsWith('.ts')) continue;
        if (pkg.name === '@ameide/testing' || /testing|global-setup/.test(sub)) continue;
        entries[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = join(base, dir, target);
      }
    }
  }
  return entries;
}

const sha = (data) => createHash('sha256').update(data).digest('hex');
const fileHash = (file) => sha(readFileSync(file));

/**
 * The compiled form of `entries` (name → TypeScript file) under `cacheRoot`, built if the
 * sources changed since the last build: `{ dir, files }`, where `files[name]` is the compiled
 * module of entry `name`.
 */
export async function compiled({ root, entries, cacheRoot }) {
  const esbuildVersion = JSON.parse(
    readFileSync(resolveFrom(root, 'esbuild/package.json'), 'utf8'),
  ).version;
  const lock = join(root, 'package-lock.json');
  const key = sha(
    JSON.stringify({
      FORMAT,
      esbuildVersion,
      node: process.versions.node.split('.')[0],
      lock: existsSync(lock) ? fileHash(lock) : '',
      entries: Object.entries(entries).map(([name, file]) => [name, relative(root, file)]),
    }),
  );
  const current = join(cacheRoot, 'current.json');
  const found = readJson(current);
  if (found?.key === key && typeof found.dir === 'string') {
    const dir = join(cacheRoot, found.dir);
    const manifest = readJson(join(dir, MANIFEST));
    if (manifest && upToDate(root, manifest.inputs)) return located(dir, manifest.files);
  }
  return build({ root, entries, cacheRoot, key });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function upToDate(root, inputs) {
  if (!inputs || typeof inputs !== 'object') return false;
  for (const [file, hash] of Object.entries(inputs)) {
    try {
      if (fileHash(join(root, file)) !== hash) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** `request` resolved as a package of the workspace at `root` resolves it. */
function resolveFrom(root, request) {
  return createRequire(join(root, 'package.json')).resolve(request);
}

async function build({ root, entries, cacheRoot, key }) {
  const { build: esbuild } = await import(pathToFileURL(resolveFrom(root, 'esbuild')).href);
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = join(cacheRoot, `.build-${process.pid}-${Date.now()}`);
  // Made here, so a cache this user cannot write to fails with its code (EACCES, EROFS) and the
  // next cache root is tried, instead of failing inside esbuild.
  mkdirSync(tmp);
  const names = Object.keys(entries);
  // esbuild names outputs after their entry keys; `@ameide/x/y` becomes `ameide__x__y`.
  const outName = (name) => name.replace(/^@/, '').replaceAll('/', '__');
  let result;
  try {
    result = await esbuild({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(names.map((n) => [outName(n), entries[n]])),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      outdir: tmp,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      // Node's resolution for the packages left in node_modules: their CommonJS `main`, no
      // bundler-only `module` condition.
      mainFields: ['main'],
      conditions: [],
      plugins: [externalPackages(), sourceLocations()],
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const messages = (err.errors ?? [])
      .slice(0, 10)
      .map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new Error(
      `compiling the ameide command failed:\n${messages.join('\n') || `  ${err.message}`}`,
    );
  }
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const abs = resolve(root, file);
    if (existsSync(abs)) inputs[relative(root, abs)] = fileHash(abs);
  }
  const files = {};
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = names.find((n) => resolve(root, meta.entryPoint) === resolve(root, entries[n]));
    if (name) files[name] = relative(tmp, resolve(root, out));
  }
  writeFileSync(join(tmp, MANIFEST), JSON.stringify({ key, inputs, files }));
  const dirName = sha(key + JSON.stringify(inputs)).slice(0, 16);
  const dir = join(cacheRoot, dirName);
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process built the same sources first: use its build.
    rmSync(tmp, { recursive: true, force: true });
  }
  const pointer = join(cacheRoot, `.current-${process.pid}.json`);
  writeFileSync(pointer, JSON.stringify({ key, dir: dirName }));
  renameSync(pointer, join(cacheRoot, 'current.json'));
  removeOldBuilds(cacheRoot, dirName);
  return located(dir, files);
}

/** The build in `dir`, marked as used by this process until it exits (see removeOldBuilds). */
function located(dir, files) {
  const marker = join(dir, `${IN_USE}${process.pid}`);
  try {
    writeFileSync(marker, '');
    process.once('exit', () => rmSync(marker, { force: true }));
  } catch {
    // A build this user can only read (an image's): nobody else removes it either.
  }
  return {
    dir,
    files: Object.fromEntries(Object.entries(files).map(([n, f]) => [n, join(dir, f)])),
  };
}

/** Whether a process that is still running uses the build in `dir`. */
function inUse(dir) {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(IN_USE)) continue;
    try {
      process.kill(Number(name.slice(IN_USE.length)), 0);
      return true;
    } catch (err) {
      if (err.code === 'EPERM') return true;
    }
  }
  return false;
}

/** Imports of packages in node_modules stay imports, of the file Node would load from here. */
function externalPackages() {
  return {
    name: 'ameide-external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'ameide-inner' || args.path.startsWith('node:')) return undefined;
        if (args.path.startsWith('@ameide/')) return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'ameide-inner',
        });
        // Unresolvable here (an optional dependency that is not installed): left to Node, which
        // fails the import where the code expects it to.
        if (found.errors.length > 0) return { path: args.path, external: true };
        return { path: found.path, external: true };
      });
    },
  };
}

/**
 * A module's own location (`import.meta.url`, `import.meta.dirname`) stays the source file's,
 * so paths relative to it (migrations, examples, the workflow sources) still point where they
 * did.
 */
function sourceLocations() {
  return {
    name: 'ameide-source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        if (contents.includes('import.meta.')) {
          contents = contents
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path));
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Removes the builds (and crashed builders' temporary directories) older than an hour, except
 * `keep` and those a running process uses: a long-running `ameide dev` may still import a chunk
 * of its build hours after another command rebuilt.
 */
function removeOldBuilds(cacheRoot, keep) {
  const now = Date.now();
  for (const name of readdirSync(cacheRoot)) {
    if (name === keep || name.endsWith('.json')) continue;
    const path = join(cacheRoot, name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_MS && !inUse(path))
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/**
 * Where builds are kept, in order: `$AMEIDE_CLI_CACHE` if set, else
 * `node_modules/.cache/ameide-cli`, then a directory in the temp dir for an install this user
 * cannot write to (an image built by root and run as `node` uses the build made at image build
 * time, and builds in the temp dir only if the sources differ from it).
 */
export function cacheRootsFor(root) {
  if (process.env.AMEIDE_CLI_CACHE) return [resolve(process.env.AMEIDE_CLI_CACHE)];
  return [
    join(root, 'node_modules', '.cache', 'ameide-cli'),
    join(tmpdir(), `ameide-cli-${process.getuid?.() ?? 'user'}-${sha(root).slice(0, 12)}`),
  ];
}

/** {@link compiled} in the first of `cacheRoots` that holds an up-to-date build or can take one. */
export async function compiledIn({ root, entries, cacheRoots }) {
  let lastError;
  for (const cacheRoot of cacheRoots) {
    try {
      return await compiled({ root, entries, cacheRoot });
    } catch (err) {
      // This cache root cannot be written to (or is not a directory): try the next one.
      if (!['EACCES', 'EPERM', 'EROFS', 'ENOTDIR'].includes(err?.code)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
