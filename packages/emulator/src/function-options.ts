import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseEnv } from 'node:util';
import { LambdaRuntimeError } from '@lambda-runtime/api';
import type { EmulatorOptions } from './emulator-options.js';
import { passedCredentials, RESERVED_VARIABLES } from './runtime-environment.js';

/**
 * The function's configuration options of `lambda-runtime-emulator`, as a `node:util` `parseArgs`
 * options object, for every command that runs a function locally (`lambda-dev watch` spreads it
 * into its own): `--env KEY=VALUE` and `--env-file <path>` (both repeatable), `--handler`,
 * `--memory`, `--timeout`, `--function-name`, `--region`, `--pass-credentials`. Turn the parsed
 * values into emulator options with {@link resolveFunctionOptions}.
 *
 * @example
 * ```ts
 * const { values } = parseArgs({ options: { ...FUNCTION_CLI_OPTIONS, port: { type: 'string' } } });
 * const emulator = await RuntimeApiEmulator.start({
 *   ...resolveFunctionOptions(values, { cwd: process.cwd(), parentEnv: process.env }),
 *   runtime: { command: 'node', args: ['dist/index.mjs'] },
 * });
 * ```
 */
export const FUNCTION_CLI_OPTIONS = {
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  handler: { type: 'string' },
  memory: { type: 'string' },
  timeout: { type: 'string' },
  'function-name': { type: 'string' },
  region: { type: 'string' },
  'pass-credentials': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The help lines of {@link FUNCTION_CLI_OPTIONS}, aligned like the emulator's usage text. */
export const FUNCTION_CLI_HELP = `  -e, --env KEY=VALUE        a variable of the function (repeatable; wins over --env-file)
      --env-file <path>      variables from a dotenv file (repeatable, later files win)
      --handler <handler>    _HANDLER, e.g. index.handler
      --memory <mb>          AWS_LAMBDA_FUNCTION_MEMORY_SIZE, 128-10240 (default 3008)
      --timeout <seconds>    function timeout, 1-900 (default 300)
      --function-name <name> AWS_LAMBDA_FUNCTION_NAME (default test_function)
      --region <region>      AWS_REGION and AWS_DEFAULT_REGION (default us-east-1)
      --pass-credentials     give the runtime your AWS credentials (default: fake ones)
`;

/** The values `parseArgs` gives for {@link FUNCTION_CLI_OPTIONS}. */
export interface FunctionCliValues {
  readonly env?: string | readonly string[] | undefined;
  readonly 'env-file'?: string | readonly string[] | undefined;
  readonly handler?: string | undefined;
  readonly memory?: string | undefined;
  readonly timeout?: string | undefined;
  readonly 'function-name'?: string | undefined;
  readonly region?: string | undefined;
  readonly 'pass-credentials'?: boolean | undefined;
}

/** Where {@link resolveFunctionOptions} reads files and credentials from. */
export interface FunctionOptionsContext {
  /** `--env-file` paths are relative to it. */
  readonly cwd: string;
  /** The developer's environment: only its credentials are read, and only with `--pass-credentials`. */
  readonly parentEnv: NodeJS.ProcessEnv;
}

/** The emulator options that {@link resolveFunctionOptions} sets. */
export type FunctionOptions = Pick<
  EmulatorOptions,
  'functionName' | 'memorySizeMb' | 'timeoutSeconds' | 'region' | 'handler' | 'environment'
>;

/**
 * A function option is wrong (a usage error: the command exits with code 2). `option` names it;
 * the message never contains a variable's value, which may be a secret.
 */
export class FunctionOptionsError extends LambdaRuntimeError {
  readonly errorType = 'Emulator.UsageError';
  /** Stable code for every usage error. */
  readonly code = 'ERR_LAMBDA_EMULATOR_USAGE';
  /** The option at fault, e.g. `--env`. */
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(`${option}: ${message}`, options);
    this.option = option;
  }
}

/** Where a reserved variable is set instead (the hint in the error message). */
const RESERVED_HINTS: Readonly<Record<string, string>> = {
  _HANDLER: 'use --handler',
  AWS_REGION: 'use --region',
  AWS_DEFAULT_REGION: 'use --region',
  AWS_LAMBDA_FUNCTION_NAME: 'use --function-name',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'use --memory',
  AWS_ACCESS_KEY: 'use --pass-credentials',
  AWS_ACCESS_KEY_ID: 'use --pass-credentials',
  AWS_SECRET_ACCESS_KEY: 'use --pass-credentials',
  AWS_SESSION_TOKEN: 'use --pass-credentials',
};

/** Lambda's rule for variable names: a letter, then letters, digits or `_`, at least two characters. */
const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]+$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Turns the parsed {@link FUNCTION_CLI_OPTIONS} into emulator options, checked as Lambda checks a
 * function's configuration: variables (env files in order, then `--env`, later wins) must have
 * valid names and must not be reserved ones; memory 128-10240 MB, timeout 1-900 s; with
 * `--pass-credentials` the developer's AWS credential variables replace the fake ones. Throws a
 * {@link FunctionOptionsError} for the first problem.
 *
 * @example
 * ```ts
 * try {
 *   options = resolveFunctionOptions(values, { cwd: process.cwd(), parentEnv: process.env });
 * } catch (error) {
 *   if (error instanceof FunctionOptionsError) { console.error(error.message); process.exit(2); }
 *   throw error;
 * }
 * ```
 */
export function resolveFunctionOptions(
  values: FunctionCliValues,
  context: FunctionOptionsContext,
): FunctionOptions {
  const environment: Record<string, string | undefined> = {};
  for (const path of list(values['env-file'])) {
    for (const [name, value] of Object.entries(readEnvFile(path, context.cwd))) {
      checkVariable('--env-file', name, ` (in ${path})`);
      environment[name] = value;
    }
  }
  for (const entry of list(values.env)) {
    const equals = entry.indexOf('=');
    if (equals < 0) {
      // Only a name is echoed: an argument that is not one may be a secret pasted in the wrong place.
      const got = VARIABLE_NAME.test(entry)
        ? `${JSON.stringify(entry)} has no "="`
        : 'an argument without "="';
      throw new FunctionOptionsError('--env', `expected KEY=VALUE, got ${got}`);
    }
    const name = entry.slice(0, equals);
    checkVariable('--env', name, '');
    environment[name] = entry.slice(equals + 1);
  }
  if (values['pass-credentials'] === true) Object.assign(environment, passedCredentials(context.parentEnv));

  const options: { -readonly [K in keyof FunctionOptions]: FunctionOptions[K] } = { environment };
  const functionName = values['function-name'];
  if (functionName !== undefined) {
    if (!FUNCTION_NAME.test(functionName)) {
      throw new FunctionOptionsError(
        '--function-name',
        `${JSON.stringify(functionName)} is not a function name (1-64 letters, digits, - or _)`,
      );
    }
    options.functionName = functionName;
  }
  const memory = integer('--memory', values.memory, 128, 10_240, 'MB');
  if (memory !== undefined) options.memorySizeMb = memory;
  const timeout = integer('--timeout', values.timeout, 1, 900, 'seconds');
  if (timeout !== undefined) options.timeoutSeconds = timeout;
  const region = values.region;
  if (region !== undefined) {
    if (!REGION.test(region)) {
      throw new FunctionOptionsError(
        '--region',
        `${JSON.stringify(region)} is not an AWS region (e.g. eu-west-1)`,
      );
    }
    options.region = region;
  }
  const handler = values.handler;
  if (handler !== undefined) {
    if (handler.trim() === '') throw new FunctionOptionsError('--handler', 'must not be empty');
    options.handler = handler;
  }
  return options;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function checkVariable(option: string, name: string, where: string): void {
  if (RESERVED_VARIABLES.has(name)) {
    const hint = RESERVED_HINTS[name];
    throw new FunctionOptionsError(
      option,
      `${name}${where} is reserved by Lambda and cannot be set as a function variable${hint === undefined ? '' : `; ${hint}`}`,
    );
  }
  if (!VARIABLE_NAME.test(name)) {
    throw new FunctionOptionsError(
      option,
      `${JSON.stringify(name)}${where} is not a valid variable name (a letter, then letters, digits or _; at least 2 characters)`,
    );
  }
}

function readEnvFile(path: string, cwd: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FunctionOptionsError('--env-file', `cannot read ${path} (${code})`, { cause: error });
  }
  const parsed = parseEnv(text);
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) variables[name] = value;
  return variables;
}

function integer(
  option: string,
  text: string | undefined,
  min: number,
  max: number,
  unit: string,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new FunctionOptionsError(
      option,
      `must be a whole number of ${unit} from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
