import type { InvocationContext } from '@lambda-runtime/api';

/** A destination that keeps every chunk it is given. */
export class CollectingDestination {
  readonly chunks: string[] = [];

  write(chunk: string): void {
    this.chunks.push(chunk);
  }

  /** The JSON lines written so far, parsed. */
  records(): Record<string, unknown>[] {
    return this.chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
  }
}

export function contextFor(requestId: string, tenantId?: string): InvocationContext {
  return {
    awsRequestId: requestId,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    deadlineMs: Date.now() + 60_000,
    functionName: 'fn',
    functionVersion: '$LATEST',
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/fn',
    logStreamName: 'stream',
    traceId: undefined,
    clientContext: undefined,
    identity: undefined,
    tenantId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
    signal: new AbortController().signal,
  };
}

/** A promise and the function that settles it, to interleave two async scopes step by step. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
