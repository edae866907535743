import type {
  Credentials,
  InitializationType,
  LambdaEnvironment,
  LogFormat,
  LogLevel,
  TokenEndpoint,
} from '@lambda-runtime/api';
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
  readonly credentials: Credentials | undefined;
  readonly containerCredentials: TokenEndpoint | undefined;
  readonly metadataApi: TokenEndpoint | undefined;
  readonly xrayDaemonAddress: string | undefined;
  readonly warnings: readonly string[];
  readonly #snapshot: EnvironmentSnapshot;
  readonly #secretValues: readonly string[];

  constructor(variables: LambdaVariables, snapshot: EnvironmentSnapshot) {
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
    this.credentials = variables.credentials;
    this.containerCredentials = variables.containerCredentials;
    this.metadataApi = variables.metadataApi;
    this.xrayDaemonAddress = variables.xrayDaemonAddress;
    this.warnings = variables.warnings;
    this.#snapshot = snapshot;
    this.#secretValues = secretValuesOf(snapshot);
    Object.freeze(this);
  }

  get(name: string): string | undefined {
    return this.#snapshot.get(name);
  }

  redact(text: string): string {
    let redacted = text;
    for (const secret of this.#secretValues) {
      if (redacted.includes(secret)) redacted = redacted.replaceAll(secret, REDACTED);
    }
    return redacted;
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

  [Symbol.for('nodejs.util.inspect.custom')](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `LambdaEnvironment ${inspect(this.toJSON(), options)}`;
  }
}

// Shorter values would be redacted inside unrelated text (a real secret key is 40 characters).
const MIN_SECRET_LENGTH = 8;

function secretValuesOf(snapshot: EnvironmentSnapshot): readonly string[] {
  const values = new Set<string>();
  for (const name of SECRET_VARIABLE_NAMES) {
    const value = snapshot.get(name);
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) values.add(value);
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
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
