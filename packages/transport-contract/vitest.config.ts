import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/transport-contract',
    include: ['test/**/*.test.ts'],
  },
});
