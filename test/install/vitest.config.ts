import { defineProject } from 'vitest/config';

// The installation test: packs every public package, installs the tarballs with npm into a project
// outside the workspace, and runs functions with the installed commands. One npm install, shared by
// the tests of the file; bounded by the timeouts below (registry downloads included).
export default defineProject({
  test: {
    name: 'install',
    include: ['**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    expect: { requireAssertions: true },
  },
});
