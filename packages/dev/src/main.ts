import { COMMANDS } from './commands/index.js';

function usage(): string {
  const width = Math.max(0, ...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: lambda-dev <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'lambda-dev <command> --help' for a command's options.\n`;
}

/**
 * Runs `lambda-dev` with the given arguments and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['build', 'src/index.ts']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`lambda-dev: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
