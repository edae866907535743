export { type HandlerSpec, parseHandlerSpec } from './handler-spec.js';
export { type LoadHandlerOptions, loadHandler } from './load-handler.js';
export { type LocatedModule, locateModule, type ModuleFormat, scopeFormat } from './locate-module.js';
