import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'bench', 'test/install'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    teardownTimeout: 10_000,
  },
});
