import type {
  Credentials,
  InitializationType,
  LambdaEnvironment,
  LogFormat,
  LogLevel,
  TokenEndpoint,
} from '@lambda-runtime/api';
import { INSPECT_CUSTOM, type InspectFunction, inspectAs } from './inspect-as.js';
import type { EnvironmentSnapshot, LambdaVariables } from './parse-lambda-variables.js';
import type { RedactedCredentialsView } from './redacted-credentials.js';
import { type RedactedTokenEndpointView, redactedEndpointView } from './redacted-token-endpoint.js';
import { REDACTED, SECRET_VARIABLE_NAMES } from './secret-variable-names.js';

/** The JSON and inspection view of {@link ProcessLambdaEnvironment}: no snapshot, secrets redacted. */
export type LambdaEnvironmentView = Omit<
  LambdaVariables,
  'credentials' | 'containerCredentials' | 'metadataApi'
> & {
  readonly credentials: RedactedCredentialsView | undefined;
  readonly containerCredentials: RedactedTokenEndpointView | undefined;
  readonly metadataApi: RedactedTokenEndpointView | undefined;
};

/**
 * The validated environment. Fields are plain frozen properties (reading one is a property
 * lookup); the snapshot behind {@link ProcessLambdaEnvironment.get} is private, so neither
 * enumeration, `JSON.stringify` nor `util.inspect` can reach a secret through it.
 */
export class ProcessLambdaEnvironment implements LambdaEnvironment {
  readonly runtimeApi: string;
  readonly handler: string | undefined;
  readonly taskRoot: string | undefined;
  readonly runtimeDir: string | undefined;
  readonly region: string | undefined;
  readonly defaultRegion: string | undefined;
  readonly executionEnv: string | undefined;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number;
  readonly initializationType: InitializationType;
  readonly logGroupName: string | undefined;
  readonly logStreamName: string | undefined;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  readonly maxConcurrency: number;
  readonly workerCount: number | undefined;
  readonly credentials: Credentials | undefined;
  readonly containerCredentials: TokenEndpoint | undefined;
  readonly metadataApi: TokenEndpoint | undefined;
  readonly xrayDaemonAddress: string | undefined;
  readonly warnings: readonly string[];
  readonly #snapshot: EnvironmentSnapshot;
  readonly #secrets: SecretValues;

  /**
   * @param live - the variables to follow after the snapshot (usually `process.env`): a secret
   *   variable set or changed later (credentials of a role assumed at run time) is redacted too.
   */
  constructor(
    variables: LambdaVariables,
    snapshot: EnvironmentSnapshot,
    live?: Readonly<Record<string, string | undefined>>,
  ) {
    this.runtimeApi = variables.runtimeApi;
    this.handler = variables.handler;
    this.taskRoot = variables.taskRoot;
    this.runtimeDir = variables.runtimeDir;
    this.region = variables.region;
    this.defaultRegion = variables.defaultRegion;
    this.executionEnv = variables.executionEnv;
    this.functionName = variables.functionName;
    this.functionVersion = variables.functionVersion;
    this.memorySizeMb = variables.memorySizeMb;
    this.initializationType = variables.initializationType;
    this.logGroupName = variables.logGroupName;
    this.logStreamName = variables.logStreamName;
    this.logFormat = variables.logFormat;
    this.logLevel = variables.logLevel;
    this.maxConcurrency = variables.maxConcurrency;
    this.workerCount = variables.workerCount;
    this.credentials = variables.credentials;
    this.containerCredentials = variables.containerCredentials;
    this.metadataApi = variables.metadataApi;
    this.xrayDaemonAddress = variables.xrayDaemonAddress;
    this.warnings = variables.warnings;
    this.#snapshot = snapshot;
    this.#secrets = new SecretValues(live);
    for (const name of SECRET_VARIABLE_NAMES) this.#secrets.add(snapshot.get(name));
    Object.freeze(this);
  }

  get(name: string): string | undefined {
    return this.#snapshot.get(name);
  }

  redact(text: string): string {
    return replaceSecrets(text, this.#secrets.current());
  }

  /** The view `JSON.stringify` uses: every field, credentials redacted, no other variable. */
  toJSON(): LambdaEnvironmentView {
    return {
      runtimeApi: this.runtimeApi,
      handler: this.handler,
      taskRoot: this.taskRoot,
      runtimeDir: this.runtimeDir,
      region: this.region,
      defaultRegion: this.defaultRegion,
      executionEnv: this.executionEnv,
      functionName: this.functionName,
      functionVersion: this.functionVersion,
      memorySizeMb: this.memorySizeMb,
      initializationType: this.initializationType,
      logGroupName: this.logGroupName,
      logStreamName: this.logStreamName,
      logFormat: this.logFormat,
      logLevel: this.logLevel,
      maxConcurrency: this.maxConcurrency,
      workerCount: this.workerCount,
      credentials: redactedView(this.credentials),
      containerCredentials: this.containerCredentials && redactedEndpointView(this.containerCredentials),
      metadataApi: this.metadataApi && redactedEndpointView(this.metadataApi),
      xrayDaemonAddress: this.xrayDaemonAddress,
      warnings: this.warnings,
    };
  }

  toString(): string {
    return `LambdaEnvironment ${JSON.stringify(this.toJSON())}`;
  }

  [INSPECT_CUSTOM](_depth: number, options: object, inspect: InspectFunction): string {
    return inspectAs('LambdaEnvironment', this.toJSON(), options, inspect);
  }
}

// Shorter values would be redacted inside unrelated text (a real secret key is 40 characters).
const MIN_SECRET_LENGTH = 8;
// Rotated credentials stay secret after they are replaced (they are valid until they expire), so old
// values are kept, up to this many: a day of hourly rotations of every secret variable, and more.
const MAX_SECRET_VALUES = 128;

/**
 * The values to redact: those of the snapshot, plus every value a secret variable takes later in
 * `live`. Each {@link SecretValues.current} call reads the few secret variables (well under a
 * microsecond); the list is rebuilt only when one changed.
 */
class SecretValues {
  readonly #live: Readonly<Record<string, string | undefined>> | undefined;
  readonly #lastSeen: Array<string | undefined>;
  // Insertion order, oldest first; #sorted is longest first, so a secret containing another is replaced whole.
  readonly #values: string[] = [];
  #sorted: readonly string[] = [];

  constructor(live: Readonly<Record<string, string | undefined>> | undefined) {
    this.#live = live;
    this.#lastSeen = SECRET_VARIABLE_NAMES.map(() => undefined);
  }

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    // A secret is also written URL-encoded, e.g. the session token in a presigned URL.
    for (const form of new Set([value, encodeURIComponent(value)])) {
      if (this.#values.includes(form)) continue;
      this.#values.push(form);
      if (this.#values.length > MAX_SECRET_VALUES) this.#values.shift();
    }
    this.#sorted = [...this.#values].sort((a, b) => b.length - a.length);
  }

  current(): readonly string[] {
    const live = this.#live;
    if (live !== undefined) {
      for (let index = 0; index < SECRET_VARIABLE_NAMES.length; index += 1) {
        const value = live[SECRET_VARIABLE_NAMES[index] as string];
        if (value !== this.#lastSeen[index]) {
          this.#lastSeen[index] = value;
          this.add(value);
        }
      }
    }
    return this.#sorted;
  }
}

function replaceSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (redacted.includes(secret)) redacted = redacted.replaceAll(secret, REDACTED);
  }
  return redacted;
}

/**
 * Redacts the current values of the secret variables from `text` without reading an environment:
 * for the few lines written before there is one, such as a runtime that cannot start.
 *
 * @example
 * ```ts
 * process.stderr.write(`${redactSecrets(`cannot start: ${error.message}`)}\n`);
 * ```
 */
export function redactSecrets(
  text: string,
  live: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return replaceSecrets(text, new SecretValues(live).current());
}

// The contract allows any Credentials object here, so do not trust it to redact itself.
function redactedView(credentials: Credentials | undefined): RedactedCredentialsView | undefined {
  if (credentials === undefined) return undefined;
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: REDACTED,
    sessionToken: credentials.sessionToken === undefined ? undefined : REDACTED,
  };
}
