// The entry point for code that must not load pino at import time (the runtime's composition root):
// the package index also exports createLogger, and importing it evaluates pino and its dependencies.
export { DeferredLogger, type DeferredLoggerState } from './deferred-logger.js';
export { installConsole } from './install-console.js';
