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

/** A log stream name shaped like Lambda's: `YYYY/MM/DD/[version]<32 hex>`. */
export function makeLogStreamName(functionVersion: string, now: Date = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${date}/[${functionVersion}]${randomUUID().replaceAll('-', '')}`;
}

/**
 * The environment of a runtime process: the reserved variables of docs/runtime-api.md §4, `PATH` and
 * `HOME` from the parent, nothing else of the parent's environment (tests must not pass by
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
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete environment[name];
    else environment[name] = value;
  }
  return environment;
}
