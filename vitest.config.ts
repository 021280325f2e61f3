import { defineConfig } from 'vitest/config';

// One config for every tier. Tiers are told apart by file name:
// *.unit.test.ts (no servers), *.int.test.ts (real Postgres / NATS / Temporal),
// *.e2e.test.ts (the CLI or the running platform). Servers are started once per
// run by the global setup, each test file makes its own database.
//
// Test files run three at a time (AMEIDE_TEST_WORKERS overrides): most of a file's time is spent
// waiting on Postgres, Temporal or a browser, so on a 2-core machine Vitest's default of one
// worker (cores - 1) leaves the machine idle for most of the run.
const workers = Number(process.env.AMEIDE_TEST_WORKERS ?? 3);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(
    `AMEIDE_TEST_WORKERS must be a positive integer, not ${process.env.AMEIDE_TEST_WORKERS}`,
  );

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: workers,
    include: [
      'packages/*/src/**/*.test.ts',
      'domains/*/src/**/*.test.ts',
      // Scaffolded Process and Agent primitives (templates/process-primitive, agent-primitive).
      'processes/*/src/**/*.test.ts',
      'agents/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    globalSetup: ['./packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
