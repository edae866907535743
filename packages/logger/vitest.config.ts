import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/logger',
    include: ['test/**/*.test.ts'],
  },
});
