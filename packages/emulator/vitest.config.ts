import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@lambda-runtime/emulator',
    include: ['test/**/*.test.ts'],
  },
});
