export { runHandler } from './run-handler.js';
