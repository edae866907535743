// The composition root comes first: it loads reflect-metadata before tsyringe (and is the only
// module that imports either).
export {
  ContainerComposition,
  createContainer,
  defaultTransportFactory,
  registerDefaults,
} from './composition-root.js';

import { installAwsLambdaGlobal } from './awslambda-global.js';

export {
  type AwsLambdaStreamingGlobal,
  installAwsLambdaGlobal,
  NO_GLOBAL_AWSLAMBDA_ENV,
} from './awslambda-global.js';
export { ConcurrentRuntimeLoop, type NextBackoff, nextBackoff } from './concurrent-runtime-loop.js';
export { defaultRuntime } from './default-runtime.js';
export { DefaultRuntimeLoop, type DefaultRuntimeLoopOptions } from './default-runtime-loop.js';
export { type InvocationScope, installInvokeStore } from './invoke-store-install.js';
export {
  LambdaResponseStream,
  type LambdaResponseStreamOptions,
  type ResponseStreamSink,
} from './lambda-response-stream.js';
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
export { StreamFallbackTransport } from './stream-fallback-transport.js';
export type { StreamedResponsePost } from './streamed-response-post.js';
export {
  StreamingAnswer,
  type StreamingAnswerHooks,
  type StreamingAnswerSettings,
} from './streaming-answer.js';
export {
  MAX_STREAMED_RESPONSE_BYTES_ENV,
  StreamingResponder,
  type StreamingResponderOptions,
} from './streaming-responder.js';
export { VERSION } from './version.js';
export { runWorkerPool, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { shares, type WorkerShare, workerShare } from './worker-share.js';

// As the managed Node.js runtime does before it loads a handler: modules imported after this one
// may call `awslambda.streamifyResponse` as they load (opt out with AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA).
installAwsLambdaGlobal();
