import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/transport-got',
    include: ['test/**/*.test.ts'],
  },
});
