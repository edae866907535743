import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'bench', 'test/install'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    teardownTimeout: 10_000,
    // The lambda-runtime command runs a bundle of the built packages: rebuild it from their dist.
    globalSetup: ['./packages/cli/test/build-bundle.global-setup.ts'],
  },
});
