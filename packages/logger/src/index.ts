export { createLogger, type LoggerOptions } from './create-logger.js';
export { DeferredLogger, type DeferredLoggerState } from './deferred-logger.js';
export { installConsole } from './install-console.js';
export { REDACT_PATHS } from './redact-paths.js';
export { RedactingDestination } from './redacting-destination.js';
export { type LogDestination, NO_REQUEST_ID, TextDestination } from './text-destination.js';
