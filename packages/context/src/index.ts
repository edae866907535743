export { type ContextEnvironment, DefaultContextBuilder } from './default-context-builder.js';
export { DefaultInvocationContext, type FunctionMetadata } from './default-invocation-context.js';
export { DefaultPayloadCodec } from './default-payload-codec.js';
