import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'protocol/src/**/*.test.ts',
      'device/src/**/*.test.ts',
      'simulator/src/**/*.test.ts',
      'fleet/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
