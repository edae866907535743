/** How the platform wants logs written (`AWS_LAMBDA_LOG_FORMAT`). */
export type LogFormat = 'Text' | 'JSON';

/** Application log threshold (`AWS_LAMBDA_LOG_LEVEL`), lowest first. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** `AWS_LAMBDA_INITIALIZATION_TYPE`. */
export type InitializationType =
  | 'on-demand'
  | 'provisioned-concurrency'
  | 'snap-start'
  | 'lambda-managed-instances';

/**
 * The execution role's credentials. Implementations must redact the secret parts from
 * `toString()`, `JSON.stringify` and `util.inspect`.
 */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

/**
 * An endpoint the platform hands over with an access token: the SnapStart container-credentials
 * endpoint, or the metadata API. Implementations must redact `token` like {@link Credentials}.
 */
export interface TokenEndpoint {
  /** As the variable holds it: a URI (`http://host:port/path`) or `host:port`. */
  readonly address: string;
  readonly token: string | undefined;
}

/**
 * The reserved Lambda environment (docs/runtime-api.md section 4), read and validated once at
 * start. Optional variables are `undefined` when absent.
 */
export interface LambdaEnvironment {
  /** `AWS_LAMBDA_RUNTIME_API`: `host:port` of the Runtime API. */
  readonly runtimeApi: string;
  /** `_HANDLER`. */
  readonly handler: string | undefined;
  /** `LAMBDA_TASK_ROOT`. */
  readonly taskRoot: string | undefined;
  /** `LAMBDA_RUNTIME_DIR`. */
  readonly runtimeDir: string | undefined;
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  readonly region: string | undefined;
  /** `AWS_DEFAULT_REGION`. */
  readonly defaultRegion: string | undefined;
  /** `AWS_EXECUTION_ENV`. */
  readonly executionEnv: string | undefined;
  /** `AWS_LAMBDA_FUNCTION_NAME`. */
  readonly functionName: string;
  /** `AWS_LAMBDA_FUNCTION_VERSION`. */
  readonly functionVersion: string;
  /** `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB. */
  readonly memorySizeMb: number;
  /** `AWS_LAMBDA_INITIALIZATION_TYPE` (default `on-demand`). */
  readonly initializationType: InitializationType;
  /** `AWS_LAMBDA_LOG_GROUP_NAME` (absent under SnapStart). */
  readonly logGroupName: string | undefined;
  /** `AWS_LAMBDA_LOG_STREAM_NAME` (absent under SnapStart). */
  readonly logStreamName: string | undefined;
  /** `AWS_LAMBDA_LOG_FORMAT`, case-insensitive (default `Text`). */
  readonly logFormat: LogFormat;
  /** `AWS_LAMBDA_LOG_LEVEL` (default `INFO`). */
  readonly logLevel: LogLevel;
  /**
   * `AWS_LAMBDA_MAX_CONCURRENCY`: 1 when absent or malformed. Above 1 (Lambda Managed Instances)
   * the runtime keeps that many invocations in flight, and logs JSON only.
   */
  readonly maxConcurrency: number;
  /**
   * `AWS_LAMBDA_NODEJS_WORKER_COUNT`: how many worker threads share `maxConcurrency` (Lambda
   * Managed Instances); `undefined` when absent or malformed. Optional for environments built by
   * hand.
   */
  readonly workerCount?: number | undefined;
  /** `AWS_ACCESS_KEY_ID` (or legacy `AWS_ACCESS_KEY`) / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, when set. */
  readonly credentials: Credentials | undefined;
  /** `AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN` (SnapStart, instead of `credentials`). */
  readonly containerCredentials: TokenEndpoint | undefined;
  /** `AWS_LAMBDA_METADATA_API` + `AWS_LAMBDA_METADATA_TOKEN`. */
  readonly metadataApi: TokenEndpoint | undefined;
  /** `AWS_XRAY_DAEMON_ADDRESS` (`ip:port`). */
  readonly xrayDaemonAddress: string | undefined;
  /** Problems that did not stop the start (a malformed optional variable and the default used instead). */
  readonly warnings: readonly string[];
  /** Any variable by name, from the snapshot taken at start (for the function's own configuration). */
  get(name: string): string | undefined;
  /**
   * `text` with every credential or token value of this environment (access key id, secret key,
   * session token, container and metadata tokens) replaced by `[redacted]`. The logger and the
   * error documents pass through it, so a secret never leaves the process whatever the user logs
   * or throws.
   *
   * @example
   * ```ts
   * environment.redact(`key=${process.env.AWS_SECRET_ACCESS_KEY}`); // 'key=[redacted]'
   * ```
   */
  redact(text: string): string;
}

/**
 * Reads and validates the environment once.
 *
 * @example
 * ```ts
 * const environment = new ProcessEnvironmentReader().read(); // throws EnvironmentError naming every problem
 * ```
 */
export interface EnvironmentReader {
  /** @throws {@link EnvironmentError} naming every missing or malformed required variable. */
  read(): LambdaEnvironment;
}
