import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/example-init-failure',
    include: ['test/**/*.test.ts'],
  },
});
