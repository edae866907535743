export { DeadlineExceededError } from './deadline-exceeded-error.js';
export { DeadlineSignal } from './deadline-signal.js';
export { type ContextEnvironment, DefaultContextBuilder } from './default-context-builder.js';
export { DefaultInvocationContext, type FunctionMetadata } from './default-invocation-context.js';
export { DefaultPayloadCodec, type DefaultPayloadCodecOptions } from './default-payload-codec.js';
