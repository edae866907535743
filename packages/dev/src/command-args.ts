import { type ParseArgsConfig, parseArgs } from 'node:util';
import { messageOf } from './message-of.js';

/** The option table of a command, as `node:util`'s `parseArgs` takes it. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

// Every command takes -h / --help; it is added here so no command can forget it.
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

interface StrictConfig<O extends CommandOptions> {
  args: string[];
  allowPositionals: true;
  strict: true;
  options: O & typeof HELP_OPTION;
}

/** What {@link parseCommandArgs} returns when the command should run: the parsed options and positionals. */
export type CommandArgs<O extends CommandOptions> = ReturnType<typeof parseArgs<StrictConfig<O>>>;

/** How one `lambda-dev` command reads its arguments. */
export interface CommandArgsSpec<O extends CommandOptions> {
  /** The command's word (`build`), which prefixes its messages: `lambda-dev build: …`. */
  readonly command: string;
  /** The help text, printed for `--help` and after a usage error. */
  readonly usage: string;
  /** The command's options; `-h` / `--help` is added. */
  readonly options: O;
  /** A problem with the positional arguments, in words, or `undefined` when they are right. */
  checkPositionals(positionals: readonly string[]): string | undefined;
}

/**
 * Reads a command's arguments the way every `lambda-dev` command does: strict (an unknown option or
 * a missing value is a usage error), `-h` / `--help` prints the usage to stdout, and a usage error
 * prints `lambda-dev <command>: <problem>` and the usage to stderr.
 *
 * @returns the parsed arguments, or the exit code to return at once: 0 after `--help`, 2 after a usage error.
 *
 * @example
 * ```ts
 * const args = parseCommandArgs(argv, {
 *   command: 'layer',
 *   usage: USAGE,
 *   options: { out: { type: 'string' } },
 *   checkPositionals: ([first]) => (first === undefined ? undefined : `unexpected argument '${first}'`),
 * });
 * if (typeof args === 'number') return args;
 * args.values.out; // string | undefined
 * ```
 */
export function parseCommandArgs<const O extends CommandOptions>(
  argv: readonly string[],
  spec: CommandArgsSpec<O>,
): CommandArgs<O> | number {
  let parsed: CommandArgs<O>;
  try {
    const config: StrictConfig<O> = {
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { ...spec.options, ...HELP_OPTION },
    };
    parsed = parseArgs(config);
  } catch (error) {
    return usageError(spec, messageOf(error));
  }
  // The precise type of values is known only at the call site; help is always among them.
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stdout.write(spec.usage);
    return 0;
  }
  const problem = spec.checkPositionals(parsed.positionals);
  return problem === undefined ? parsed : usageError(spec, problem);
}

function usageError(spec: CommandArgsSpec<CommandOptions>, problem: string): number {
  process.stderr.write(`lambda-dev ${spec.command}: ${problem}\n\n${spec.usage}`);
  return 2;
}
