import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/transport-undici',
    include: ['test/**/*.test.ts'],
  },
});
