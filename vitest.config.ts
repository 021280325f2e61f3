import { defineConfig } from 'vitest/config';

// One config for every tier. Tiers are told apart by file name:
// *.unit.test.ts (no servers), *.int.test.ts (real Postgres / NATS / Temporal),
// *.e2e.test.ts (the CLI or the running platform). Servers are started once per
// run by the global setup, each test file makes its own database.
export default defineConfig({
  test: {
    pool: 'forks',
    include: [
      'packages/*/src/**/*.test.ts',
      'domains/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    globalSetup: ['./packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
