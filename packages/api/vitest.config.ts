import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/api',
    include: ['test/**/*.test.ts'],
  },
});
