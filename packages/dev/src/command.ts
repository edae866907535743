import {
  type CommandArgs,
  type CommandArgsSpec,
  type CommandOptions,
  parseCommandArgs,
} from './command-args.js';
import { DevToolError } from './dev-tool-error.js';
import { messageOf } from './message-of.js';
import { ScaffoldError } from './scaffold/scaffold-error.js';

/** One `lambda-dev` subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  /** The word after `lambda-dev`. */
  readonly name: string;
  /** One line for `lambda-dev --help`. */
  readonly summary: string;
  /** Runs the command; 0 on success, 1 on failure, 2 on bad usage. */
  run(argv: readonly string[]): Promise<number>;
}

/** What {@link defineCommand} makes a {@link Command} from. */
export interface CommandDefinition<O extends CommandOptions> extends Omit<CommandArgsSpec<O>, 'command'> {
  readonly name: string;
  readonly summary: string;
  /**
   * Does the work once the arguments are read and checked; returns the exit code. What it throws
   * is reported by {@link commandFailed}.
   */
  run(args: CommandArgs<O>): Promise<number>;
}

/**
 * A `lambda-dev` command that reads its arguments with {@link parseCommandArgs} (so `--help` and
 * usage errors behave alike in every command) and reports a failure with {@link commandFailed}.
 *
 * @example
 * ```ts
 * export const layerCommand = defineCommand({
 *   name: 'layer',
 *   summary: 'Build a Lambda layer with Node.js',
 *   usage: USAGE,
 *   options: { out: { type: 'string' } },
 *   checkPositionals: ([first]) => (first === undefined ? undefined : `unexpected argument '${first}'`),
 *   async run({ values }) {
 *     await buildLayer({ outDir: values.out });
 *     return 0;
 *   },
 * });
 * ```
 */
export function defineCommand<const O extends CommandOptions>(definition: CommandDefinition<O>): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    async run(argv) {
      const parsed = parseCommandArgs(argv, { ...definition, command: definition.name });
      if (typeof parsed === 'number') return parsed;
      try {
        return await definition.run(parsed);
      } catch (error) {
        return commandFailed(definition.name, error);
      }
    },
  };
}

/**
 * Reports a command's failure the way every `lambda-dev` command does, `lambda-dev <command>: <message>`
 * on stderr, and returns its exit code: 2 for bad usage (a {@link DevToolError} with `ERR_USAGE`, or a
 * {@link ScaffoldError}: a name or folder the user chose), 1 otherwise.
 *
 * @example
 * ```ts
 * try {
 *   await buildLayer(options);
 *   return 0;
 * } catch (error) {
 *   return commandFailed('layer', error);
 * }
 * ```
 */
export function commandFailed(command: string, error: unknown): number {
  process.stderr.write(`lambda-dev ${command}: ${messageOf(error)}\n`);
  if (error instanceof DevToolError) return error.exitCode;
  return error instanceof ScaffoldError ? 2 : 1;
}
