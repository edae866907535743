import type { Credentials, LambdaEnvironment, LogFormat } from '@lambda-runtime/api';
import * as v from 'valibot';
import { RedactedCredentials } from './redacted-credentials.js';
import { RedactedTokenEndpoint } from './redacted-token-endpoint.js';
import {
  INITIALIZATION_TYPE_SCHEMA,
  LOG_FORMAT_SCHEMA,
  LOG_LEVEL_SCHEMA,
  OPTIONAL_TEXT_SCHEMA,
  POSITIVE_INTEGER_SCHEMA,
  REQUIRED_TEXT_SCHEMA,
  RUNTIME_API_SCHEMA,
} from './variable-schemas.js';

/** The variables taken at one instant, empty values dropped. */
export type EnvironmentSnapshot = ReadonlyMap<string, string>;

/** Everything of a {@link LambdaEnvironment} except the snapshot lookup. */
export type LambdaVariables = Omit<LambdaEnvironment, 'get' | 'redact'>;

/** The outcome of {@link parseLambdaVariables}. */
export type LambdaVariablesResult =
  | { readonly ok: true; readonly variables: LambdaVariables }
  | { readonly ok: false; readonly problems: readonly string[] };

// Variables whose absence or malformation stops the start, plus the free-form optional ones.
const VARIABLES_SCHEMA = v.object({
  AWS_LAMBDA_RUNTIME_API: RUNTIME_API_SCHEMA,
  AWS_LAMBDA_FUNCTION_NAME: REQUIRED_TEXT_SCHEMA,
  AWS_LAMBDA_FUNCTION_VERSION: REQUIRED_TEXT_SCHEMA,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: POSITIVE_INTEGER_SCHEMA,
  _HANDLER: OPTIONAL_TEXT_SCHEMA,
  LAMBDA_TASK_ROOT: OPTIONAL_TEXT_SCHEMA,
  LAMBDA_RUNTIME_DIR: OPTIONAL_TEXT_SCHEMA,
  AWS_REGION: OPTIONAL_TEXT_SCHEMA,
  AWS_DEFAULT_REGION: OPTIONAL_TEXT_SCHEMA,
  AWS_EXECUTION_ENV: OPTIONAL_TEXT_SCHEMA,
  AWS_LAMBDA_LOG_GROUP_NAME: OPTIONAL_TEXT_SCHEMA,
  AWS_LAMBDA_LOG_STREAM_NAME: OPTIONAL_TEXT_SCHEMA,
  AWS_XRAY_DAEMON_ADDRESS: OPTIONAL_TEXT_SCHEMA,
});
const VARIABLE_NAMES = Object.keys(VARIABLES_SCHEMA.entries);

// One issue per variable is enough to name it; every variable is still checked.
const PARSE_CONFIG = { abortPipeEarly: true } as const;

/**
 * Takes one snapshot of `env`. Empty values count as absent, as Lambda's own runtimes treat them.
 *
 * @example
 * ```ts
 * takeSnapshot({ A: '1', B: '' }); // Map { 'A' => '1' }
 * ```
 */
export function takeSnapshot(env: Readonly<Record<string, string | undefined>>): EnvironmentSnapshot {
  const snapshot = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') snapshot.set(name, value);
  }
  return snapshot;
}

/**
 * Validates a snapshot once. Missing or malformed required variables are all reported together;
 * a malformed optional variable falls back to its default and adds a warning. Problem and warning
 * texts quote the offending value: none of the validated variables holds a secret.
 *
 * @example
 * ```ts
 * const result = parseLambdaVariables(takeSnapshot(process.env));
 * if (!result.ok) throw new EnvironmentError(result.problems);
 * ```
 */
export function parseLambdaVariables(snapshot: EnvironmentSnapshot): LambdaVariablesResult {
  const input: Record<string, string | undefined> = {};
  for (const name of VARIABLE_NAMES) input[name] = snapshot.get(name);
  const result = v.safeParse(VARIABLES_SCHEMA, input, PARSE_CONFIG);
  if (!result.success) {
    return {
      ok: false,
      problems: result.issues.map((issue) => {
        const name = String(issue.path?.[0]?.key);
        return describe(name, issue.message, snapshot.get(name));
      }),
    };
  }

  const parsed = result.output;
  const warnings: string[] = [];
  // Absent means single concurrency (checklist item 5), so only a malformed value warns.
  const maxConcurrency = withDefault(
    snapshot,
    'AWS_LAMBDA_MAX_CONCURRENCY',
    POSITIVE_INTEGER_SCHEMA,
    1,
    warnings,
  );
  const initializationType = withDefault(
    snapshot,
    'AWS_LAMBDA_INITIALIZATION_TYPE',
    INITIALIZATION_TYPE_SCHEMA,
    'on-demand',
    warnings,
  );
  const variables: LambdaVariables = {
    runtimeApi: parsed.AWS_LAMBDA_RUNTIME_API,
    handler: parsed._HANDLER,
    taskRoot: parsed.LAMBDA_TASK_ROOT,
    runtimeDir: parsed.LAMBDA_RUNTIME_DIR,
    region: parsed.AWS_REGION ?? parsed.AWS_DEFAULT_REGION,
    defaultRegion: parsed.AWS_DEFAULT_REGION,
    executionEnv: parsed.AWS_EXECUTION_ENV,
    functionName: parsed.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: parsed.AWS_LAMBDA_FUNCTION_VERSION,
    memorySizeMb: parsed.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    initializationType,
    logGroupName: parsed.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: parsed.AWS_LAMBDA_LOG_STREAM_NAME,
    logFormat: readLogFormat(
      snapshot,
      maxConcurrency > 1 || initializationType === 'lambda-managed-instances',
      warnings,
    ),
    logLevel: withDefault(snapshot, 'AWS_LAMBDA_LOG_LEVEL', LOG_LEVEL_SCHEMA, 'INFO', warnings),
    maxConcurrency,
    workerCount: withDefault<number | undefined>(
      snapshot,
      'AWS_LAMBDA_NODEJS_WORKER_COUNT',
      POSITIVE_INTEGER_SCHEMA,
      undefined,
      warnings,
    ),
    credentials: readCredentials(snapshot, warnings),
    containerCredentials: readTokenEndpoint(
      snapshot,
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN',
      warnings,
    ),
    metadataApi: readTokenEndpoint(
      snapshot,
      'AWS_LAMBDA_METADATA_API',
      'AWS_LAMBDA_METADATA_TOKEN',
      warnings,
    ),
    xrayDaemonAddress: parsed.AWS_XRAY_DAEMON_ADDRESS,
    warnings,
  };
  Object.freeze(warnings);
  return { ok: true, variables };
}

function describe(name: string, message: string, value: string | undefined): string {
  return value === undefined ? `${name} ${message}` : `${name} ${message}, got ${JSON.stringify(value)}`;
}

function withDefault<T>(
  snapshot: EnvironmentSnapshot,
  name: string,
  schema: v.GenericSchema<unknown, T>,
  fallback: NoInfer<T>,
  warnings: string[],
): T {
  const value = snapshot.get(name);
  if (value === undefined) return fallback;
  const result = v.safeParse(schema, value, PARSE_CONFIG);
  if (result.success) return result.output;
  warnings.push(`${describe(name, result.issues[0].message, value)}; using ${String(fallback)}`);
  return fallback;
}

/**
 * `AWS_LAMBDA_LOG_FORMAT`, except that Lambda Managed Instances log JSON only (runtime-api.md §6.5):
 * with concurrent invocations a line must carry its own request id, so Text is replaced by JSON
 * there, with a warning when Text was asked for.
 */
function readLogFormat(
  snapshot: EnvironmentSnapshot,
  managedInstances: boolean,
  warnings: string[],
): LogFormat {
  const warned = warnings.length;
  const fallback = managedInstances ? 'JSON' : 'Text';
  const format = withDefault(snapshot, 'AWS_LAMBDA_LOG_FORMAT', LOG_FORMAT_SCHEMA, fallback, warnings);
  if (!managedInstances) return format;
  // A malformed value already has its warning; only an explicit Text gets this one.
  if (format === 'Text' && warnings.length === warned && snapshot.has('AWS_LAMBDA_LOG_FORMAT')) {
    warnings.push(
      'AWS_LAMBDA_LOG_FORMAT is Text, but Lambda Managed Instances (AWS_LAMBDA_MAX_CONCURRENCY) log JSON only; using JSON',
    );
  }
  return 'JSON';
}

function readCredentials(snapshot: EnvironmentSnapshot, warnings: string[]): Credentials | undefined {
  // AWS_ACCESS_KEY is the legacy name Lambda still sets next to AWS_ACCESS_KEY_ID.
  const accessKeyId = snapshot.get('AWS_ACCESS_KEY_ID') ?? snapshot.get('AWS_ACCESS_KEY');
  const secretAccessKey = snapshot.get('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    return new RedactedCredentials(accessKeyId, secretAccessKey, snapshot.get('AWS_SESSION_TOKEN'));
  }
  // Only names here: the value that is present may be the secret.
  if (accessKeyId !== undefined) {
    warnings.push('AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; no credentials');
  } else if (secretAccessKey !== undefined) {
    warnings.push('AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; no credentials');
  }
  return undefined;
}

function readTokenEndpoint(
  snapshot: EnvironmentSnapshot,
  addressName: string,
  tokenName: string,
  warnings: string[],
): RedactedTokenEndpoint | undefined {
  const address = snapshot.get(addressName);
  const token = snapshot.get(tokenName);
  if (address !== undefined) return new RedactedTokenEndpoint(address, token);
  // The token alone is useless; say so by name only, since its value is a secret.
  if (token !== undefined) warnings.push(`${tokenName} is set but ${addressName} is not; ignored`);
  return undefined;
}
