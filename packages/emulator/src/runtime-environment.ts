import { randomUUID } from 'node:crypto';

/** What the reserved variables are derived from. */
export interface RuntimeEnvironmentSettings {
  readonly runtimeApi: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number;
  readonly region: string;
  readonly logStreamName: string;
  readonly taskRoot: string;
  /** Managed Instances: `AWS_LAMBDA_MAX_CONCURRENCY` (docs/runtime-api.md §6.5). */
  readonly maxConcurrency?: number | undefined;
}

/**
 * Obviously fake credentials: code under test that builds an AWS SDK client gets well-formed
 * values without any real secret reaching the runtime process.
 */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAEMULATOREXAMPLE0',
  AWS_SECRET_ACCESS_KEY: 'emulator/fake/secret/access/key/EXAMPLE00',
  AWS_SESSION_TOKEN: 'emulator-fake-session-token',
} as const;

/**
 * The variables Lambda reserves (docs/runtime-api.md §4): a function's configuration cannot set
 * them, so `--env` cannot either.
 */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_MAX_CONCURRENCY',
  'AWS_LAMBDA_METADATA_API',
  'AWS_LAMBDA_METADATA_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
]);

/**
 * Where the AWS SDKs look for credentials in the environment: what `--pass-credentials` copies
 * from the developer's shell (and never anything else of it).
 */
export const CREDENTIAL_VARIABLES: readonly string[] = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/**
 * The developer's own credentials for `--pass-credentials`: every {@link CREDENTIAL_VARIABLES}
 * entry of `parent`, and `undefined` (removal) for the fake ones it does not set, so an SDK does
 * not pair a real key with the fake session token.
 */
export function passedCredentials(parent: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const credentials: Record<string, string | undefined> = {};
  for (const name of Object.keys(FAKE_CREDENTIALS)) credentials[name] = undefined;
  for (const name of CREDENTIAL_VARIABLES) {
    const value = parent[name];
    if (value !== undefined && value !== '') credentials[name] = value;
  }
  return credentials;
}

/** A log stream name shaped like Lambda's: `YYYY/MM/DD/[version]<32 hex>`. */
export function makeLogStreamName(functionVersion: string, now: Date = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${date}/[${functionVersion}]${randomUUID().replaceAll('-', '')}`;
}

/**
 * The environment of a runtime process: the reserved variables of docs/runtime-api.md §4, `PATH`,
 * `HOME` (and `NODE_PATH` when set) from the parent, `LD_LIBRARY_PATH` with the task root's
 * folders after the parent's, nothing else of the parent's environment (tests must not pass by
 * accident because the developer's shell exports something). `extra` wins; an `undefined` value
 * removes the variable.
 */
export function buildRuntimeEnvironment(
  settings: RuntimeEnvironmentSettings,
  extra: Readonly<Record<string, string | undefined>> = {},
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const environment: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: settings.runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: settings.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: settings.functionVersion,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memorySizeMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${settings.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: settings.logStreamName,
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    LAMBDA_TASK_ROOT: settings.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    ...FAKE_CREDENTIALS,
  };
  if (settings.maxConcurrency !== undefined) {
    // What a Managed Instances environment sets; LMI functions log in JSON only.
    environment.AWS_LAMBDA_INITIALIZATION_TYPE = 'lambda-managed-instances';
    environment.AWS_LAMBDA_MAX_CONCURRENCY = String(settings.maxConcurrency);
    environment.AWS_LAMBDA_LOG_FORMAT = 'JSON';
  }
  if (parent.PATH !== undefined) environment.PATH = parent.PATH;
  if (parent.HOME !== undefined) environment.HOME = parent.HOME;
  if (parent.NODE_PATH !== undefined) environment.NODE_PATH = parent.NODE_PATH;
  // Lambda's list ends with the task root and its lib folder; the machine's own entries stay first
  // so local binaries keep working.
  environment.LD_LIBRARY_PATH = [parent.LD_LIBRARY_PATH, settings.taskRoot, `${settings.taskRoot}/lib`]
    .filter((entry) => entry !== undefined && entry !== '')
    .join(':');
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete environment[name];
    else environment[name] = value;
  }
  return environment;
}
