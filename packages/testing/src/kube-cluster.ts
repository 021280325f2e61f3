import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { tailOutput, terminate } from '@ameide/launch';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A local Kubernetes control plane: etcd, kube-apiserver and kube-controller-manager. */
export interface TestKubeCluster {
  /** Admin kubeconfig (a static token of `system:masters`). */
  readonly kubeconfig: string;
  readonly server: string;
  /** Stops every process and removes the state directory. */
  stop(): Promise<void>;
}

/**
 * Starts a control plane of real Kubernetes components (`deploy/sim/cluster.mjs up
 * --control-plane-only`, the binaries `npm test` builds once per machine for the operator
 * suites): enough for API objects, CRDs, namespaces and garbage collection, not for pods.
 * Takes 10–20 s; one per test file that needs it.
 */
export async function startTestKubeCluster(label: string): Promise<TestKubeCluster> {
  const dir = await mkdtemp(join(tmpdir(), `ameide-kube-${label}-`));
  const cluster = join(root, 'deploy', 'sim', 'cluster.mjs');
  const stop = async () => {
    await run(process.execPath, [cluster, 'down', '--dir', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(
      process.execPath,
      [cluster, 'up', '--control-plane-only', '--dir', dir, '--json'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const info = JSON.parse(stdout.trim().split('\n').pop()!) as {
      kubeconfig: string;
      server: string;
    };
    return { kubeconfig: info.kubeconfig, server: info.server, stop };
  } catch (err) {
    await stop();
    const e = err as Error & { stderr?: string };
    throw new Error(`cannot start a Kubernetes control plane: ${e.stderr || e.message}`, {
      cause: err,
    });
  }
}

/** `ensureOperatorBinary()` of scripts/ensure.mjs, in a child process (it builds synchronously). */
async function operatorBinary(): Promise<string> {
  const ensure = pathToFileURL(join(root, 'scripts', 'ensure.mjs')).href;
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(ensure)}); process.stdout.write(m.ensureOperatorBinary());`,
    ],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  ).catch((err: Error & { stderr?: string }) => {
    throw new Error(`cannot build the operator: ${err.stderr || err.message}`, { cause: err });
  });
  return stdout.trim();
}

/** The Ameide operator's manager, running against a cluster. */
export interface TestOperator {
  /** What it logged last (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `operators/cmd/ameide-operator` (`AMEIDE_OPERATOR_BINARY`, else built by `ensureOperatorBinary`
 * of `scripts/ensure.mjs`, as `npm test` does before the tests: Go's build cache makes that
 * seconds once warm, minutes cold) against `kubeconfig` with only the `reconcilers` named, no
 * metrics or probe ports.
 */
export async function startTestOperator(options: {
  readonly kubeconfig: string;
  readonly reconcilers: readonly string[];
}): Promise<TestOperator> {
  const binary = process.env['AMEIDE_OPERATOR_BINARY'] || (await operatorBinary());
  const all = ['domain', 'process', 'agent', 'uisurface', 'projection', 'integration', 'tenant'];
  const child = spawn(
    binary,
    [
      `--kubeconfig=${options.kubeconfig}`,
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
      `--disable=${all.filter((k) => !options.reconcilers.includes(k)).join(',')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail = tailOutput(child, 40);
  return {
    output: () => tail.text(),
    async stop() {
      await terminate(child);
    },
  };
}
