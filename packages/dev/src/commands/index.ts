import type { Command } from '../command.js';

/** Every subcommand, in the order `lambda-dev --help` lists them. */
export const COMMANDS: readonly Command[] = [];
