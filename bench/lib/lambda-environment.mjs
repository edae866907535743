// The environment the bench harnesses spawn a runtime in.

/**
 * The reserved variables Lambda gives a custom runtime (docs/runtime-api.md §4), with fake
 * credentials; nothing inherited but PATH.
 */
export function lambdaEnvironment({ port, taskRoot, name, memoryMiB }) {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMiB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    _HANDLER: 'index.handler',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-fake-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-fake-session-token',
  };
}

/** `env` without NODE_EXTRA_CA_CERTS (it adds ~50 ms to every node start) and NODE_OPTIONS. */
export function withoutExtraCaCerts(env) {
  const copy = { ...env };
  delete copy.NODE_EXTRA_CA_CERTS;
  delete copy.NODE_OPTIONS;
  return copy;
}
