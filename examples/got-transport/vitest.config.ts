import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/example-got-transport',
    include: ['test/**/*.test.ts'],
  },
});
