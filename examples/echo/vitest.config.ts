import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/example-echo',
    include: ['test/**/*.test.ts'],
  },
});
