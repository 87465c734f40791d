import { defineConfig } from 'vitest/config';

export default defineConfig({
  // workspace packages from their TypeScript sources (tsconfig.json `paths`); plain node uses their built `dist/`
  resolve: { tsconfigPaths: true },
  test: {
    include: [
      'protocol/src/**/*.test.ts',
      'node-kit/src/**/*.test.ts',
      'device/src/**/*.test.ts',
      'simulator/src/**/*.test.ts',
      'test-kit/src/**/*.test.ts',
      'fleet/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // generous: CI runs beside two CPU-bound processes; no test asserts elapsed time
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // most tests wait on processes, ptys and sockets rather than on the CPU: with vitest's default (cores − 1 = one
    // worker on a 2-core machine) the suite runs one file at a time and the two crash tests alone take ten minutes
    maxWorkers: 3,
  },
});
