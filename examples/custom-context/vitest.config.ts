import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/example-custom-context',
    include: ['test/**/*.test.ts'],
  },
});
