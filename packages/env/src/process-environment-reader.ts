import { EnvironmentError, type EnvironmentReader, type LambdaEnvironment } from '@lambda-runtime/api';
import { parseLambdaVariables, takeSnapshot } from './parse-lambda-variables.js';
import { ProcessLambdaEnvironment } from './process-lambda-environment.js';

/** Options of {@link ProcessEnvironmentReader}. */
export interface ProcessEnvironmentReaderOptions {
  /** The variables to read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the reserved Lambda environment from `process.env` (or the given variables): one
 * snapshot, validated once with valibot. Secrets are reachable only through `get(name)` and the
 * credentials' properties; printing, serializing or spreading the result shows `[redacted]`.
 * `redact(text)` follows the secret variables in the variables read: a credential written into
 * `process.env` later (a role assumed at run time) is redacted from then on, and so is the old one.
 *
 * @example
 * ```ts
 * const environment = new ProcessEnvironmentReader().read(); // throws EnvironmentError naming every problem
 * for (const warning of environment.warnings) logger.warn(warning);
 * const url = `http://${environment.runtimeApi}/2018-06-01/runtime/invocation/next`;
 * ```
 */
export class ProcessEnvironmentReader implements EnvironmentReader {
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(options: ProcessEnvironmentReaderOptions = {}) {
    this.#env = options.env ?? process.env;
  }

  /**
   * Takes the snapshot and validates it.
   *
   * @throws {@link EnvironmentError} whose `problems` name every missing or malformed required variable.
   */
  read(): LambdaEnvironment {
    const snapshot = takeSnapshot(this.#env);
    const result = parseLambdaVariables(snapshot);
    if (!result.ok) throw new EnvironmentError(result.problems);
    return new ProcessLambdaEnvironment(result.variables, snapshot, this.#env);
  }
}
