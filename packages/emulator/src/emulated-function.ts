import type { ResolvedEmulatorOptions } from './emulator-options.js';
import { buildRuntimeEnvironment, makeLogStreamName } from './runtime-environment.js';

/**
 * The function the emulator plays: its settings, its unqualified ARN, its log stream and the
 * environment its runtime process gets. The `_HANDLER` of the latest environment is kept for the
 * Extensions API's register answer.
 */
export class EmulatedFunction {
  readonly settings: ResolvedEmulatorOptions;
  readonly #runtimeApi: () => string;
  readonly #logStreamName: string;
  #handler: string | undefined;

  /** `runtimeApi` reads the server's `host:port` when an environment is built (it is known after listen). */
  constructor(settings: ResolvedEmulatorOptions, runtimeApi: () => string) {
    this.settings = settings;
    this.#runtimeApi = runtimeApi;
    this.#logStreamName = makeLogStreamName(settings.functionVersion);
  }

  /** The unqualified ARN delivered as `Lambda-Runtime-Invoked-Function-Arn` by default. */
  get functionArn(): string {
    const { region, accountId, functionName } = this.settings;
    return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }

  /** The `_HANDLER` of the latest {@link environment}, if it had one. */
  get handler(): string | undefined {
    return this.#handler;
  }

  /** See {@link RuntimeApiEmulator.environment}. */
  environment(extra: Readonly<Record<string, string | undefined>>): Record<string, string> {
    const environment = buildRuntimeEnvironment(
      {
        runtimeApi: this.#runtimeApi(),
        functionName: this.settings.functionName,
        functionVersion: this.settings.functionVersion,
        memorySizeMb: this.settings.memorySizeMb,
        region: this.settings.region,
        logStreamName: this.#logStreamName,
        taskRoot: process.cwd(),
        maxConcurrency: this.settings.maxConcurrency,
      },
      extra,
    );
    this.#handler = environment._HANDLER;
    return environment;
  }
}
