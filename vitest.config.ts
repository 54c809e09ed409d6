import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance, the CommonJS one Node loads for our code and for the Apollo packages alike
  // (vite would otherwise hand the tests graphql's .mjs build, and schemas would cross two instances).
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // CI asks for a JSON report to print the totals.
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit-and-subgraph', include: ['test/*.test.ts'], maxWorkers: 2 },
      },
      {
        extends: true,
        // One real stack (four subgraph processes and the gateway) for all end-to-end files.
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/e2e/global-setup.ts'], maxWorkers: 1, fileParallelism: false },
      },
      {
        extends: true,
        // The analysts' stack: a world of 50,000 people, seeded once and kept under .data/.
        test: { name: 'analysts', include: ['test/analysts/**/*.test.ts'], globalSetup: ['test/analysts/global-setup.ts'], maxWorkers: 1, fileParallelism: false },
      },
    ],
  },
});
