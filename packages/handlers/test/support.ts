import type { InitializeOptions, InvocationContext, LambdaEnvironment, Logger } from '@lambda-runtime/api';

/** A Lambda environment with `_HANDLER` set to `handler` (absent when `undefined`). */
export function environment(handler: string | undefined): LambdaEnvironment {
  return {
    runtimeApi: '127.0.0.1:9001',
    handler,
    taskRoot: undefined,
    runtimeDir: undefined,
    region: 'us-east-1',
    defaultRegion: 'us-east-1',
    executionEnv: undefined,
    functionName: 'test_function',
    functionVersion: '$LATEST',
    memorySizeMb: 128,
    initializationType: 'on-demand',
    logGroupName: '/aws/lambda/test_function',
    logStreamName: 'stream',
    logFormat: 'JSON',
    logLevel: 'INFO',
    maxConcurrency: 1,
    credentials: undefined,
    containerCredentials: undefined,
    metadataApi: undefined,
    xrayDaemonAddress: undefined,
    warnings: [],
    get: () => undefined,
    redact: (text) => text,
  };
}

/** A logger that keeps `[level, ...args]` of every call. */
export function recordingLogger(): Logger & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const log =
    (level: string) =>
    (...args: unknown[]): void => {
      calls.push([level, ...args]);
    };
  const logger: Logger & { calls: unknown[][] } = {
    calls,
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    fatal: log('fatal'),
    child: () => logger,
  };
  return logger;
}

export function initializeOptions(handler: string | undefined): InitializeOptions {
  return { env: environment(handler), logger: recordingLogger() };
}

/** A context good enough for calling a handler directly. */
export function invocationContext(): InvocationContext {
  return {
    awsRequestId: 'request-1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:012345678912:function:test_function',
    deadlineMs: Date.now() + 60_000,
    functionName: 'test_function',
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/test_function',
    logStreamName: 'stream',
    traceId: undefined,
    clientContext: undefined,
    identity: undefined,
    tenantId: undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
    signal: new AbortController().signal,
  };
}

/** The runtime's callback, recording its calls. */
export function recordingCallback(): ((error?: Error | string | null, result?: unknown) => void) & {
  calls: unknown[][];
} {
  const calls: unknown[][] = [];
  return Object.assign((...args: unknown[]) => void calls.push(args), { calls });
}
