import type { Command } from '../command.js';
import { buildCommand } from './build.js';
import { eventCommand } from './event.js';
import { invokeCommand } from './invoke.js';
import { layerCommand } from './layer.js';
import { newCommand } from './new.js';
import { watchCommand } from './watch.js';

/** Every subcommand, in the order `lambda-dev --help` lists them. */
export const COMMANDS: readonly Command[] = [
  newCommand,
  buildCommand,
  layerCommand,
  watchCommand,
  invokeCommand,
  eventCommand,
];
