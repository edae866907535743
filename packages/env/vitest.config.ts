import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/env',
    include: ['test/**/*.test.ts'],
  },
});
