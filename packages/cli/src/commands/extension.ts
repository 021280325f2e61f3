import { createHash } from 'node:crypto';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AmeideError, ErrorCode } from '@ameide/errors';
import {
  buildGuest,
  createExtensionRuntime,
  guestLibDir,
  inspectModule,
  validateModule,
  type HostCallPort,
  type JsonValue,
} from '@ameide/extensions-runtime';
import { collect, jsonArg } from '../config/args.js';
import { extensionInvokeCommand, extensionPublishCommand } from './extension-publish.js';
import { positiveInt } from './token.js';

// `ameide extension <subcommand>`: each subcommand is one function returning its Command, and
// `extensionCommand()` lists them, so a new one (e.g. `publish`) is one function and one line.

/** Defaults of the local sandbox, the platform's policy for tenant extensions. */
const DEFAULTS = {
  maxMemoryPages: 16,
  timeoutMs: 1_000,
  maxInputBytes: 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
  entryPoint: 'run',
} as const;

function pages(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_536) {
    throw new InvalidArgumentError('a number of 64 KiB pages from 1 to 65536');
  }
  return n;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const skeleton = `// An Ameide extension (AssemblyScript). The host calls run(ptr, len) with the input JSON and
// expects the output JSON back (see lib/abi.ts and the guest ABI). Build and try it:
//   ameide extension build .
//   ameide extension run build/extension.wasm --input '{"name":"Ada"}'
import { allocBytes, fail, readInput, writeOutput } from './lib/abi';
import { parse, quote, STR } from './lib/json';

// The host writes the input through this export; keep it.
export function alloc(len: i32): usize {
  return allocBytes(len);
}

export function run(ptr: usize, len: i32): u64 {
  const name = parse(readInput(ptr, len)).get('name');
  if (name.kind != STR) return fail('input.name must be a string');
  return writeOutput('{"greeting":' + quote('Hello, ' + name.str) + '}');
}
`;

const tsconfig = `{
  "extends": "assemblyscript/std/assembly.json",
  "include": ["./**/*.ts"]
}
`;

/** `ameide extension init <dir>`: an AssemblyScript guest skeleton. */
function initCommand(): Command {
  return new Command('init')
    .summary('write an AssemblyScript extension skeleton')
    .description('write an AssemblyScript extension skeleton into <dir> (refuses to overwrite)')
    .argument('<dir>', 'directory for the extension (created if missing)')
    .action(async (dir: string) => {
      const files: [string, string][] = [
        ['extension.ts', skeleton],
        ['tsconfig.json', tsconfig],
        ['lib/abi.ts', await readFile(join(guestLibDir, 'abi.ts'), 'utf8')],
        ['lib/ameide.ts', await readFile(join(guestLibDir, 'ameide.ts'), 'utf8')],
        ['lib/json.ts', await readFile(join(guestLibDir, 'json.ts'), 'utf8')],
      ];
      for (const [name] of files) {
        if (await exists(join(dir, name))) {
          throw new Error(`${join(dir, name)} exists; init writes only into new files`);
        }
      }
      await mkdir(join(dir, 'lib'), { recursive: true });
      for (const [name, content] of files) await writeFile(join(dir, name), content);
      process.stdout.write(
        `wrote an extension skeleton to ${dir}\nnext: ameide extension build ${dir} && ameide extension run ${join(dir, 'build', 'extension.wasm')} --input '{"name":"Ada"}'\n`,
      );
    });
}

/** `ameide extension build <dir|file.ts>`: asc with the sandbox's flags, then the module checks. */
function buildCommand(): Command {
  return new Command('build')
    .summary('compile an AssemblyScript extension into a checked module')
    .description(
      'compile an AssemblyScript extension with asc --importMemory --maximumMemory N -O3 --runtime stub, then check it as publishing does (EXT001-EXT006)',
    )
    .argument('<source>', 'a directory with extension.ts, or an AssemblyScript file')
    .option(
      '-o, --out <file>',
      'output module (default: <dir>/build/extension.wasm, or <file>.wasm)',
    )
    .option(
      '--max-memory-pages <n>',
      `maximum memory the module declares, in 64 KiB pages (default ${DEFAULTS.maxMemoryPages} = 1 MiB)`,
      pages,
      DEFAULTS.maxMemoryPages,
    )
    .option('--entry <export>', 'entry point to check for', DEFAULTS.entryPoint)
    .action(
      async (source: string, opts: { out?: string; maxMemoryPages: number; entry: string }) => {
        const isDir = (await stat(source).catch(() => undefined))?.isDirectory() ?? false;
        const entry = isDir ? join(source, 'extension.ts') : source;
        if (!(await exists(entry))) {
          throw new Error(
            isDir
              ? `${source} has no extension.ts (ameide extension init makes one)`
              : `${source} not found`,
          );
        }
        const out =
          opts.out ??
          (isDir
            ? join(source, 'build', 'extension.wasm')
            : join(dirname(source), `${basename(source, extname(source))}.wasm`));
        await mkdir(dirname(resolve(out)), { recursive: true });
        const bytes = await buildGuest({
          entry,
          outFile: out,
          maxMemoryPages: opts.maxMemoryPages,
        });
        const violations = validateModule(bytes, {
          maxMemoryPages: opts.maxMemoryPages,
          entryPoint: opts.entry,
        });
        if (violations.length > 0) {
          throw new AmeideError(
            ErrorCode.FailedPrecondition,
            `${out} was built but would be refused`,
            { fieldViolations: violations },
          );
        }
        const info = inspectModule(bytes);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        process.stdout.write(
          `built ${out}: ${bytes.byteLength} bytes, sha256 ${sha256}, memory ${info.memoryImport?.initialPages}-${info.memoryImport?.maximumPages} pages, entry ${opts.entry}\n`,
        );
      },
    );
}

interface RunOptions {
  input: string;
  entry: string;
  timeoutMs: number;
  maxMemoryPages?: number;
  maxInputBytes: number;
  maxOutputBytes: number;
  allow?: string[];
  tenant: string;
}

/** Answers every allowlisted host call: there is no platform to perform it. */
const noPlatform: HostCallPort = (method) =>
  Promise.reject(
    new AmeideError(
      ErrorCode.Unavailable,
      `ameide extension run executes locally without a platform: host call ${method} is not performed (a --platform-url option may come later)`,
    ),
  );

/** `ameide extension run <module.wasm>`: the module under the platform's sandbox, locally. */
function runCommand(): Command {
  return new Command('run')
    .summary('run a module locally in the sandbox (no platform: host calls are refused)')
    .description(
      'run a module locally under the same sandbox as the platform (host-made bounded memory, deadline, input/output caps, host-call allowlist) and print its output JSON. No platform is involved: host calls outside --allow are refused (permission_denied), allowed ones are answered {"error":{"code":"unavailable"}} since there is no platform to perform them',
    )
    .argument('<module.wasm>', 'the module, e.g. from `ameide extension build`')
    .requiredOption('-i, --input <json>', 'input JSON, or @file.json')
    .option('--entry <export>', 'entry point', DEFAULTS.entryPoint)
    .option('--timeout-ms <ms>', 'deadline of the invocation', positiveInt, DEFAULTS.timeoutMs)
    .option(
      '--max-memory-pages <n>',
      "memory limit in 64 KiB pages (default: the module's declared maximum)",
      pages,
    )
    .option('--max-input-bytes <n>', 'input size limit', positiveInt, DEFAULTS.maxInputBytes)
    .option('--max-output-bytes <n>', 'output size limit', positiveInt, DEFAULTS.maxOutputBytes)
    .option(
      '--allow <method>',
      'host call the guest may make, package.Service/Method (repeatable)',
      collect,
    )
    .option('--tenant <id>', 'tenant the invocation runs for', 'local')
    .addHelpText(
      'after',
      `\nExample:\n  ameide extension run build/extension.wasm --input '{"name":"Ada"}' --timeout-ms 200\n\nOn failure it prints the typed error (e.g. "ameide: deadline_exceeded: ...") and exits 1.`,
    )
    .action(async (modulePath: string, opts: RunOptions) => {
      const bytes = new Uint8Array(await readFile(modulePath));
      const input = (await jsonArg(opts.input, '--input')) as JsonValue;
      let maxMemoryPages = opts.maxMemoryPages;
      if (maxMemoryPages === undefined) {
        try {
          maxMemoryPages =
            inspectModule(bytes).memoryImport?.maximumPages ?? DEFAULTS.maxMemoryPages;
        } catch {
          maxMemoryPages = DEFAULTS.maxMemoryPages; // the runtime names what is wrong
        }
      }
      const runtime = createExtensionRuntime({
        poolSize: 1,
        hostCalls: noPlatform,
        onLog: (e) => process.stderr.write(`[${e.level}] ${e.message}\n`),
      });
      try {
        const result = await runtime.invoke({
          extension: {
            name: basename(modulePath, extname(modulePath)),
            version: 'local',
            hash: createHash('sha256').update(bytes).digest('hex'),
            module: bytes,
            entryPoint: opts.entry,
            limits: {
              maxMemoryPages,
              timeoutMs: opts.timeoutMs,
              maxInputBytes: opts.maxInputBytes,
              maxOutputBytes: opts.maxOutputBytes,
            },
            allowedHostCalls: opts.allow ?? [],
          },
          input,
          context: { tenantId: opts.tenant, orgId: '', userId: 'local', groups: [], traceId: '' },
        });
        process.stdout.write(`${JSON.stringify(result.output)}\n`);
      } finally {
        await runtime.close();
      }
    });
}

/** `ameide extension`: build and try tenant extensions (WebAssembly guests). */
export function extensionCommand(): Command {
  return new Command('extension')
    .description(
      'write, build and run tenant extensions (AssemblyScript guests in the WebAssembly sandbox), then publish and invoke them on the platform',
    )
    .addCommand(initCommand())
    .addCommand(buildCommand())
    .addCommand(runCommand())
    .addCommand(extensionPublishCommand())
    .addCommand(extensionInvokeCommand());
}
