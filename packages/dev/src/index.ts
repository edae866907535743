export type { Command } from './command.js';
export { COMMANDS } from './commands/index.js';
export { main } from './main.js';
export { ScaffoldError, type ScaffoldErrorCode } from './scaffold/scaffold-error.js';
export {
  type ScaffoldOptions,
  type ScaffoldResult,
  scaffoldProject,
} from './scaffold/scaffold-project.js';
