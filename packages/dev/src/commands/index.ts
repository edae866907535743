import type { Command } from '../command.js';
import { buildCommand } from './build.js';
import { layerCommand } from './layer.js';

/** Every subcommand, in the order `lambda-dev --help` lists them. */
export const COMMANDS: readonly Command[] = [buildCommand, layerCommand];
