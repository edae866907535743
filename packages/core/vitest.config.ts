import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/core',
    include: ['test/**/*.test.ts'],
  },
});
