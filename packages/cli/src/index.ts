export { type RunHandlerOptions, runHandler } from './run-handler.js';
