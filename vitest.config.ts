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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
