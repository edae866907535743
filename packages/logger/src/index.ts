export { createLogger, type LoggerOptions } from './create-logger.js';
export { DeferredLogger, type DeferredLoggerState } from './deferred-logger.js';
export { installConsole } from './install-console.js';
export { JsonLineFormatter, type JsonLineFormatterOptions, type LevelMethod } from './json-line-formatter.js';
export { lineDestination } from './line-destination.js';
export { REDACT_PATHS } from './redact-paths.js';
export { RedactingDestination } from './redacting-destination.js';
export { SyncFdDestination } from './sync-fd-destination.js';
export { type LogDestination, NO_REQUEST_ID, TextDestination } from './text-destination.js';
