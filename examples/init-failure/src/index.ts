import { defaultRuntime } from '@lambda-runtime/core';

/** What a real initializer throws when its configuration is unusable. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

defaultRuntime(async ({ env }) => {
  // Stands for the usual one-time set-up (open a table, fetch a secret) failing.
  await Promise.resolve();
  const table = env.get('TABLE_NAME');
  throw new ConfigurationError(`Cannot open table ${table ?? '(TABLE_NAME is not set)'}`);
}).run();
