import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // Two cores: end-to-end suites start real processes; keep files from starving each other.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.data/vitest-report.json' }]] : ['default'],
  },
});
