import { PassThrough } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE,
  isStreamingHandler,
  STREAMING_HANDLER,
  STREAMING_HIGH_WATER_MARK,
  streamingHighWaterMark,
} from '@lambda-runtime/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsLambdaStreamingGlobal,
  installAwsLambdaGlobal,
  NO_GLOBAL_AWSLAMBDA_ENV,
} from '../src/index.js';

const holder = globalThis as { awslambda?: Record<string, unknown> };
let saved: Record<string, unknown> | undefined;

beforeEach(() => {
  saved = holder.awslambda;
  delete holder.awslambda;
});

afterEach(() => {
  if (saved === undefined) delete holder.awslambda;
  else holder.awslambda = saved;
});

function installed(): AwsLambdaStreamingGlobal {
  return holder.awslambda as unknown as AwsLambdaStreamingGlobal;
}

/** A stand-in for a response stream: records the content type and the prelude hook. */
function fakeResponseStream() {
  const stream = Object.assign(new PassThrough(), {
    contentType: undefined as string | undefined,
    setContentType(type: string) {
      stream.contentType = type;
    },
    _onBeforeFirstWrite: undefined as ((write: (chunk: string | Uint8Array) => void) => void) | undefined,
  });
  return stream;
}

describe('installAwsLambdaGlobal', () => {
  it('installs streamifyResponse and HttpResponseStream when there is no awslambda global', () => {
    const result = installAwsLambdaGlobal({});

    expect(result).toBe(true);
    expect(typeof installed().streamifyResponse).toBe('function');
    expect(typeof installed().HttpResponseStream.from).toBe('function');
  });

  it('extends an existing awslambda object without replacing it or its other members', () => {
    const existing = { InvokeStore: { marker: 'kept' } };
    holder.awslambda = existing;

    installAwsLambdaGlobal({});

    expect(holder.awslambda).toBe(existing);
    expect(holder.awslambda.InvokeStore).toEqual({ marker: 'kept' });
    expect(typeof holder.awslambda.streamifyResponse).toBe('function');
  });

  it.each(['1', 'true'])(`installs nothing when ${NO_GLOBAL_AWSLAMBDA_ENV} is %s`, (value) => {
    const result = installAwsLambdaGlobal({ [NO_GLOBAL_AWSLAMBDA_ENV]: value });

    expect(result).toBe(false);
    expect(holder.awslambda).toBeUndefined();
  });

  it.each(['0', 'false', ''])(`installs the global when ${NO_GLOBAL_AWSLAMBDA_ENV} is %j`, (value) => {
    const result = installAwsLambdaGlobal({ [NO_GLOBAL_AWSLAMBDA_ENV]: value });

    expect(result).toBe(true);
    expect(holder.awslambda).toBeDefined();
  });

  it('is the variable name the managed runtime reads', () => {
    expect(NO_GLOBAL_AWSLAMBDA_ENV).toBe('AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA');
  });
});

describe('awslambda.streamifyResponse', () => {
  it('marks the handler itself with the managed runtime symbols and returns it', () => {
    installAwsLambdaGlobal({});
    const handler = async () => undefined;

    const marked = installed().streamifyResponse(handler);

    expect(marked).toBe(handler);
    expect(
      (marked as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')],
    ).toBe('response');
    expect(marked[STREAMING_HANDLER]).toBe('response');
    expect(isStreamingHandler(marked)).toBe(true);
    expect(streamingHighWaterMark(marked)).toBeUndefined();
  });

  it('records a numeric highWaterMark (whole bytes) and ignores anything else', () => {
    installAwsLambdaGlobal({});

    const numeric = installed().streamifyResponse(async () => undefined, { highWaterMark: 4096.7 });
    const text = installed().streamifyResponse(async () => undefined, { highWaterMark: '4096' });

    expect(numeric[STREAMING_HIGH_WATER_MARK]).toBe(4096);
    expect(streamingHighWaterMark(numeric)).toBe(4096);
    expect(streamingHighWaterMark(text)).toBeUndefined();
  });
});

describe('awslambda.HttpResponseStream.from', () => {
  it('sets the http-integration content type and a prelude hook that writes the JSON and eight NULs', () => {
    installAwsLambdaGlobal({});
    const stream = fakeResponseStream();
    const written: Buffer[] = [];

    const result = installed().HttpResponseStream.from(stream as never, {
      statusCode: 302,
      headers: { Location: '/next' },
    });
    stream._onBeforeFirstWrite?.((chunk) => written.push(Buffer.from(chunk)));

    expect(result).toBe(stream);
    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(Buffer.concat(written)).toEqual(
      Buffer.concat([Buffer.from('{"statusCode":302,"headers":{"Location":"/next"}}'), Buffer.alloc(8)]),
    );
  });
});
