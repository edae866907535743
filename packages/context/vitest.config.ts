import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/context',
    include: ['test/**/*.test.ts'],
  },
});
