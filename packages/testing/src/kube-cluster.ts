import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The Ameide operator's manager, running against a cluster. */
export interface TestOperator {
  /** What it logged last (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `operators/cmd/ameide-operator` (`AMEIDE_OPERATOR_BINARY`, else built here: Go's build
 * cache makes that seconds once warm, minutes cold) against `kubeconfig` with only the `reconcilers` named, no metrics or probe ports.
 */
export async function startTestOperator(options: {
  readonly kubeconfig: string;
  readonly reconcilers: readonly string[];
}): Promise<TestOperator> {
  const dir = await mkdtemp(join(tmpdir(), 'ameide-operator-'));
  // `npm test` builds it before the tests start (scripts/ensure.mjs); a lone run builds it here.
  let binary = process.env['AMEIDE_OPERATOR_BINARY'];
  if (!binary) {
    binary = join(dir, 'ameide-operator');
    await run('go', ['build', '-o', binary, './cmd/ameide-operator'], {
      cwd: join(root, 'operators'),
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`cannot build the operator: ${err.stderr || err.message}`, { cause: err });
    });
  }
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
