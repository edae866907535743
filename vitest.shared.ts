import { defineProject } from 'vitest/config';

/**
 * The one vitest project definition every package and example uses. Root `test` options are not
 * inherited by glob-matched projects, so the shared limits live here.
 */
export function workspaceProject(name: string) {
  return defineProject({
    test: {
      name,
      include: ['test/**/*.test.ts'],
      // Real sockets and child processes: bounded, but slower than vitest's 5 s default.
      testTimeout: 30_000,
      hookTimeout: 30_000,
      // A test that asserts nothing cannot fail: refuse it.
      expect: { requireAssertions: true },
    },
  });
}
