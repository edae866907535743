export { type HandlerEntry, type HandlerMap, handlers } from './handlers.js';
export type { StandardSchemaV1 } from './standard-schema.js';
export { HttpResponseStream, httpResponseStream, streamingHandler } from './streaming.js';
export { formatIssue, validated } from './validated.js';
