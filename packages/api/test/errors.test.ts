import { describe, expect, it } from 'vitest';
import {
  EnvironmentError,
  LambdaRuntimeError,
  MalformedEventError,
  RuntimeApiError,
  TransportError,
} from '../src/errors.js';

describe('LambdaRuntimeError subclasses', () => {
  it('carry a stable Runtime.* errorType, their class name and the cause', () => {
    const cause = new Error('socket hang up');

    const error = new TransportError('GET /next failed', { cause, code: 'ECONNRESET' });

    expect(error).toBeInstanceOf(LambdaRuntimeError);
    expect(error).toBeInstanceOf(Error);
    expect(error.errorType).toBe('Runtime.TransportError');
    expect(error.name).toBe('TransportError');
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('ECONNRESET');
  });

  it('RuntimeApiError keeps the status and the API error type', () => {
    const error = new RuntimeApiError('Runtime API answered 500', {
      status: 500,
      apiErrorType: 'InternalServerError',
    });

    expect(error.status).toBe(500);
    expect(error.apiErrorType).toBe('InternalServerError');
    expect(error.errorType).toBe('Runtime.ApiError');
  });

  it('EnvironmentError names every problem in one message', () => {
    const error = new EnvironmentError([
      'AWS_LAMBDA_RUNTIME_API is not set',
      'AWS_LAMBDA_FUNCTION_NAME is not set',
    ]);

    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('AWS_LAMBDA_RUNTIME_API is not set');
    expect(error.message).toContain('AWS_LAMBDA_FUNCTION_NAME is not set');
    expect(error.errorType).toBe('Runtime.InvalidEnvironment');
  });

  it('uses distinct wire types for distinct causes', () => {
    const types = [
      new MalformedEventError('x').errorType,
      new TransportError('x').errorType,
      new RuntimeApiError('x', { status: 500 }).errorType,
      new EnvironmentError([]).errorType,
    ];

    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^Runtime\.[A-Z][a-zA-Z]+$/);
  });
});

describe('TransportError.wrap', () => {
  it('names the exchange and keeps the library code and error when wrapping a library error', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

    const error = TransportError.wrap({ method: 'GET', path: '/2018-06-01/runtime/invocation/next' }, cause);

    expect(error.message).toBe(
      'GET /2018-06-01/runtime/invocation/next failed: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.cause).toBe(cause);
  });

  it('leaves the code undefined when the thrown value has none or is not an object', () => {
    expect(TransportError.wrap({ method: 'POST', path: '/x' }, 'socket gone').code).toBeUndefined();
    expect(TransportError.wrap({ method: 'POST', path: '/x' }, null).message).toBe('POST /x failed: null');
  });
});

describe('LambdaRuntimeError instanceof', () => {
  it('matches by prototype and never a look-alike without the brand', () => {
    const lookAlike = Object.assign(new Error('x'), {
      errorType: 'Runtime.TransportError',
      code: 'ECONNRESET',
    });

    expect(new TransportError('x')).toBeInstanceOf(TransportError);
    expect(new TransportError('x')).not.toBeInstanceOf(RuntimeApiError);
    expect(lookAlike).not.toBeInstanceOf(TransportError);
    expect(lookAlike).not.toBeInstanceOf(LambdaRuntimeError);
    expect(null).not.toBeInstanceOf(LambdaRuntimeError);
  });

  it('matches a subclass declared outside this package by prototype only', () => {
    class CustomTransportError extends TransportError {}

    expect(new CustomTransportError('x')).toBeInstanceOf(TransportError);
    expect(new CustomTransportError('x')).toBeInstanceOf(CustomTransportError);
    expect(new TransportError('x')).not.toBeInstanceOf(CustomTransportError);
  });
});

describe('TransportError.response', () => {
  it('keeps what had arrived of the answer when wrapping, and is undefined when nothing had', () => {
    const partial = {
      status: 200,
      headComplete: false,
      headers: { 'lambda-runtime-aws-request-id': 'id-1' },
    };

    const begun = TransportError.wrap({ method: 'GET', path: '/next' }, new Error('cut'), partial);
    const unanswered = TransportError.wrap({ method: 'GET', path: '/next' }, new Error('reset'));

    expect(begun.response).toBe(partial);
    expect(unanswered.response).toBeUndefined();
  });
});
