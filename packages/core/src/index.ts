// tsyringe needs the Reflect metadata polyfill before it loads; this must stay the first import.
import 'reflect-metadata';

export { createContainer, defaultTransportFactory, registerDefaults } from './composition-root.js';
export { defaultRuntime } from './default-runtime.js';
export { DefaultRuntimeLoop } from './default-runtime-loop.js';
export {
  type ContextBuilderDependencies,
  type ContextBuilderWrapper,
  LambdaRuntime,
  type LambdaRuntimeDependencies,
  type LambdaRuntimeOptions,
  type ShutdownHook,
  type ShutdownHookOptions,
} from './lambda-runtime.js';
export {
  DEFAULT_USER_AGENT,
  type PostResult,
  RuntimeApiClient,
  type RuntimeApiClientOptions,
} from './runtime-api-client.js';
export { RuntimeExitError } from './runtime-exit-error.js';
export { VERSION } from './version.js';
