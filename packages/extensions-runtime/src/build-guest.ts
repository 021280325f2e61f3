import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AmeideError, ErrorCode } from '@ameide/errors';

/**
 * The AssemblyScript side of the guest ABI (`abi.ts`, `ameide.ts`) and the small JSON reader
 * the examples use (`json.ts`): what `ameide extension init` copies into a new extension.
 */
export const guestLibDir = fileURLToPath(new URL('../guests/lib/', import.meta.url));

/** Settings of {@link buildGuest}. */
export interface BuildGuestOptions {
  /** The AssemblyScript entry file. */
  readonly entry: string;
  /** Where the module is written. */
  readonly outFile: string;
  /** The maximum the module declares for its imported memory, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** Extra `asc` arguments (e.g. `--noAssert`). */
  readonly extraArgs?: readonly string[];
}

/** The `asc` flags that make a module this runtime accepts (ABI.md). */
export function guestCompilerFlags(maxMemoryPages: number): string[] {
  return ['--importMemory', '--maximumMemory', String(maxMemoryPages), '-O3', '--runtime', 'stub'];
}

/**
 * Compiles an AssemblyScript guest with `asc` and returns the module bytes. `asc` comes from the
 * `assemblyscript` package of the current directory's project when it has one, else from the
 * one installed with this package (a dependency of the CLI, a dev dependency here).
 *
 * @throws AmeideError `invalid_argument` quoting the compiler's output when the source does not
 *   compile; `failed_precondition` when the compiler is not installed.
 */
export async function buildGuest(options: BuildGuestOptions): Promise<Uint8Array> {
  let asc: string;
  try {
    // The author's own assemblyscript (their project's pin) first, else the one installed here.
    let pkg: string;
    try {
      pkg = createRequire(join(process.cwd(), 'package.json')).resolve(
        'assemblyscript/package.json',
      );
    } catch {
      pkg = createRequire(import.meta.url).resolve('assemblyscript/package.json');
    }
    asc = join(dirname(pkg), 'bin', 'asc.js');
  } catch (err) {
    throw new AmeideError(
      ErrorCode.FailedPrecondition,
      'the AssemblyScript compiler is not installed: npm install -D assemblyscript@0.28',
      { reason: 'ASC_MISSING', domain: 'ameide.extensions', cause: err },
    );
  }
  const args = [
    asc,
    options.entry,
    ...guestCompilerFlags(options.maxMemoryPages),
    ...(options.extraArgs ?? []),
    '-o',
    options.outFile,
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, output: out }));
    },
  );
  if (code !== 0) {
    throw AmeideError.invalidArgument(
      `${options.entry} does not compile:\n${output.trim()}`,
      [{ field: 'entry', description: `asc exited with ${code}` }],
      { domain: 'ameide.extensions', reason: 'GUEST_DOES_NOT_COMPILE' },
    );
  }
  return new Uint8Array(await readFile(options.outFile));
}
