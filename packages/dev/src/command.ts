/** One `lambda-dev` subcommand: parses its own arguments and returns the process exit code. */
export interface Command {
  /** The word after `lambda-dev`. */
  readonly name: string;
  /** One line for `lambda-dev --help`. */
  readonly summary: string;
  /** Runs the command; 0 on success, 1 on failure, 2 on bad usage. */
  run(argv: readonly string[]): Promise<number>;
}
