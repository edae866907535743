// The composition root comes first: it loads reflect-metadata before tsyringe (and is the only
// module that imports either).
export {
  ContainerComposition,
  createContainer,
  defaultTransportFactory,
  registerDefaults,
} from './composition-root.js';
export { ConcurrentRuntimeLoop, type NextBackoff, nextBackoff } from './concurrent-runtime-loop.js';
export { defaultRuntime } from './default-runtime.js';
export { DefaultRuntimeLoop, type DefaultRuntimeLoopOptions } from './default-runtime-loop.js';
export { type InvocationScope, installInvokeStore } from './invoke-store-install.js';
export {
  type ContextBuilderDependencies,
  type ContextBuilderWrapper,
  LambdaRuntime,
  type PartProvider,
  type PartResolver,
  type RuntimeComposition,
} from './lambda-runtime.js';
export {
  DEFAULT_USER_AGENT,
  type PostResult,
  RuntimeApiClient,
  type RuntimeApiClientOptions,
} from './runtime-api-client.js';
export { RuntimeExitError } from './runtime-exit-error.js';
export {
  INTERNAL_EXTENSION_NAME,
  type LambdaRuntimeOptions,
  RuntimeLifecycle,
  type RuntimeLifecycleOptions,
  type RuntimeParts,
  type ShutdownHook,
  type ShutdownHookOptions,
} from './runtime-lifecycle.js';
export { VERSION } from './version.js';
export { runWorkerPool, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { shares, type WorkerShare, workerShare } from './worker-share.js';
