export { classifyLoadError } from './classify-load-error.js';
export { type HandlerSpec, parseHandlerSpec } from './handler-spec.js';
export { type LoadHandlerOptions, loadHandler } from './load-handler.js';
export { type LocatedModule, locateModule, type ModuleFormat, scopeFormat } from './locate-module.js';
export { pickHandler } from './pick-handler.js';
