import { inspect } from 'node:util';
import { type Clock, type Invocation, MalformedInvocationError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { DefaultContextBuilder } from '../src/default-context-builder.js';
import { DEADLINE, environment, invocation } from './support.js';

class FakeClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
}

function buildError(overrides: Partial<Invocation>): MalformedInvocationError {
  const builder = new DefaultContextBuilder(environment);
  try {
    builder.build(invocation(overrides));
  } catch (error) {
    if (error instanceof MalformedInvocationError) return error;
    throw error;
  }
  throw new Error('build did not throw');
}

describe('DefaultContextBuilder', () => {
  it('maps the request id, ARN, deadline and trace id when the headers are present', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation());

    expect(context.awsRequestId).toBe('8476a536-e9f4-11e8-9739-2dfe598c3fcd');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:orders:prod');
    expect(context.deadlineMs).toBe(DEADLINE);
    expect(context.traceId).toBe(
      'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    );
  });

  it('item 4: exposes function name, version, memory, log group and log stream from the environment', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation());

    expect(context.functionName).toBe('orders');
    expect(context.functionVersion).toBe('$LATEST');
    expect(context.memoryLimitInMB).toBe('1769');
    expect(context.logGroupName).toBe('/aws/lambda/orders');
    expect(context.logStreamName).toBe('2026/01/01/[$LATEST]abcdef');
  });

  it('item 4: uses empty log group and stream names when the environment lacks them (SnapStart)', () => {
    const builder = new DefaultContextBuilder({
      ...environment,
      logGroupName: undefined,
      logStreamName: undefined,
    });

    const context = builder.build(invocation());

    expect(context.logGroupName).toBe('');
    expect(context.logStreamName).toBe('');
  });

  it('item 4: reads the environment once when the builder is constructed', () => {
    const mutable = { ...environment };
    const builder = new DefaultContextBuilder(mutable);

    mutable.functionName = 'changed';
    const context = builder.build(invocation());

    expect(context.functionName).toBe('orders');
  });

  it('uses an empty ARN when the invoked-function-ARN header is absent', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation({ invokedFunctionArn: undefined }));

    expect(context.invokedFunctionArn).toBe('');
  });

  it('leaves every optional field undefined when the optional headers are absent', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation({ traceId: undefined }));

    expect(context.traceId).toBeUndefined();
    expect(context.clientContext).toBeUndefined();
    expect(context.identity).toBeUndefined();
    expect(context.tenantId).toBeUndefined();
  });

  it('item 12: never turns an empty header value into an object or a value when one slips through', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(
      invocation({ traceId: '', clientContext: '', cognitoIdentity: '', tenantId: '' }),
    );

    expect(context.traceId).toBeUndefined();
    expect(context.clientContext).toBeUndefined();
    expect(context.identity).toBeUndefined();
    expect(context.tenantId).toBeUndefined();
  });

  it('item 12: parses the client context as JSON when the header is present', () => {
    const clientContext = {
      client: {
        installationId: 'install-1',
        appTitle: 'Shop',
        appVersionName: '1.2.3',
        appVersionCode: '123',
        appPackageName: 'com.example.shop',
      },
      custom: { cart: 'abc' },
      env: { platformVersion: '17', platform: 'iOS', make: 'Apple', model: 'iPhone', locale: 'en_US' },
    };
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation({ clientContext: JSON.stringify(clientContext) }));

    expect(context.clientContext).toEqual(clientContext);
  });

  it('item 12: parses the Cognito identity as JSON when the header is present', () => {
    const identity = { cognitoIdentityId: 'us-east-1:1234', cognitoIdentityPoolId: 'us-east-1:pool' };
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation({ cognitoIdentity: JSON.stringify(identity) }));

    expect(context.identity).toEqual(identity);
  });

  it.each([
    ['clientContext', 'Lambda-Runtime-Client-Context'],
    ['cognitoIdentity', 'Lambda-Runtime-Cognito-Identity'],
  ] as const)(
    'item 13: throws MalformedInvocationError naming the header when %s is invalid JSON',
    (field, header) => {
      const error = buildError({ [field]: '{"client":' });

      expect(error.errorType).toBe('Runtime.MalformedInvocation');
      expect(error.message).toContain(header);
      expect(error.message).toContain('not valid JSON');
      expect(error.cause).toBeInstanceOf(SyntaxError);
    },
  );

  it.each([
    ['clientContext', 'Lambda-Runtime-Client-Context', '[1,2]'],
    ['clientContext', 'Lambda-Runtime-Client-Context', 'null'],
    ['cognitoIdentity', 'Lambda-Runtime-Cognito-Identity', '"identity"'],
    ['cognitoIdentity', 'Lambda-Runtime-Cognito-Identity', '42'],
  ] as const)(
    'item 13: throws MalformedInvocationError when %s is JSON %s but not an object',
    (field, header, raw) => {
      const error = buildError({ [field]: raw });

      expect(error.message).toContain(header);
      expect(error.message).toContain('expected a JSON object');
    },
  );

  it('item 14: exposes the tenant id when the tenant header is present', () => {
    const builder = new DefaultContextBuilder(environment);

    const context = builder.build(invocation({ tenantId: 'tenant-42' }));

    expect(context.tenantId).toBe('tenant-42');
  });

  it('item 10: returns deadline minus now from getRemainingTimeInMillis when a clock is given', () => {
    const clock = new FakeClock(DEADLINE - 2_500);
    const context = new DefaultContextBuilder(environment, clock).build(invocation());

    const before = context.getRemainingTimeInMillis();
    clock.time += 1_000;
    const later = context.getRemainingTimeInMillis();

    expect(before).toBe(2_500);
    expect(later).toBe(1_500);
  });

  it('item 10: returns zero or less from getRemainingTimeInMillis once the deadline has passed', () => {
    const clock = new FakeClock(DEADLINE);
    const context = new DefaultContextBuilder(environment, clock).build(invocation());

    const atDeadline = context.getRemainingTimeInMillis();
    clock.time = DEADLINE + 10;
    const after = context.getRemainingTimeInMillis();

    expect(atDeadline).toBe(0);
    expect(after).toBe(-10);
  });

  it('item 10: tracks the system clock within 5 ms when no clock is given', () => {
    const deadline = Date.now() + 60_000;
    const context = new DefaultContextBuilder(environment).build(
      invocation({ deadlineMs: String(deadline) }),
    );

    const remaining = context.getRemainingTimeInMillis();
    const expected = deadline - Date.now();

    expect(Math.abs(remaining - expected)).toBeLessThanOrEqual(5);
  });

  it.each([
    ['0', 0],
    ['1767225600123', 1_767_225_600_123],
    ['0001767225600123', 1_767_225_600_123],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('item 10: parses deadline %s as epoch milliseconds when it is digits only', (raw, expected) => {
    const context = new DefaultContextBuilder(environment).build(invocation({ deadlineMs: raw }));

    expect(context.deadlineMs).toBe(expected);
  });

  it.each([undefined, ''])(
    'throws MalformedInvocationError naming the header when the deadline is %j',
    (raw) => {
      const error = buildError({ deadlineMs: raw });

      expect(error.errorType).toBe('Runtime.MalformedInvocation');
      expect(error.message).toBe('Missing Lambda-Runtime-Deadline-Ms header');
    },
  );

  it.each([
    'abc',
    '-1',
    '1.5',
    '1e3',
    '0x10',
    ' 123',
    '123 ',
    '+5',
    'Infinity',
    '9007199254740992',
    '99999999999999999999999',
  ])('throws MalformedInvocationError naming the header and value when the deadline is %j', (raw) => {
    const error = buildError({ deadlineMs: raw });

    expect(error.errorType).toBe('Runtime.MalformedInvocation');
    expect(error.message).toContain('Lambda-Runtime-Deadline-Ms');
    expect(error.message).toContain(JSON.stringify(raw));
  });

  it('caps the quoted deadline at 100 characters when the value is huge', () => {
    const error = buildError({ deadlineMs: '9'.repeat(10_000) });

    expect(error.message).toContain(`"${'9'.repeat(100)}…"`);
    expect(error.message.length).toBeLessThan(250);
  });

  it('starts callbackWaitsForEmptyEventLoop at true and lets the handler change it', () => {
    const context = new DefaultContextBuilder(environment).build(invocation());

    const initial = context.callbackWaitsForEmptyEventLoop;
    context.callbackWaitsForEmptyEventLoop = false;

    expect(initial).toBe(true);
    expect(context.callbackWaitsForEmptyEventLoop).toBe(false);
  });

  it('builds a fresh, extensible context each time', () => {
    const builder = new DefaultContextBuilder(environment);

    const first = builder.build(invocation());
    const second = builder.build(invocation({ requestId: 'other' }));
    const extended = Object.assign(first, { tenant: 'acme' });

    expect(first).not.toBe(second);
    expect(Object.isFrozen(first)).toBe(false);
    expect(extended.tenant).toBe('acme');
  });

  it('item 10: keeps getRemainingTimeInMillis working when the context is spread or the method detached', () => {
    const clock = { now: () => DEADLINE - 250 };
    const context = new DefaultContextBuilder(environment, clock).build(invocation());

    const copy = { ...context };
    const { getRemainingTimeInMillis } = context;

    expect(copy.getRemainingTimeInMillis()).toBe(250);
    expect(getRemainingTimeInMillis()).toBe(250);
  });

  it('shows the fields in JSON.stringify when the context is serialized', () => {
    const identity = { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' };
    const context = new DefaultContextBuilder(environment).build(
      invocation({ cognitoIdentity: JSON.stringify(identity), tenantId: 't' }),
    );

    const json = JSON.parse(JSON.stringify(context));

    expect(json).toEqual({
      awsRequestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders:prod',
      deadlineMs: DEADLINE,
      functionName: 'orders',
      functionVersion: '$LATEST',
      memoryLimitInMB: '1769',
      logGroupName: '/aws/lambda/orders',
      logStreamName: '2026/01/01/[$LATEST]abcdef',
      traceId: 'Root=1-6791a2b3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
      identity,
      tenantId: 't',
      callbackWaitsForEmptyEventLoop: true,
    });
  });

  it('shows the fields and not the clock in util.inspect when the context is logged', () => {
    const context = new DefaultContextBuilder(environment, new FakeClock(0)).build(invocation());

    const text = inspect(context);

    expect(text).toContain("awsRequestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd'");
    expect(text).toContain(`deadlineMs: ${DEADLINE}`);
    expect(text).toContain("memoryLimitInMB: '1769'");
    expect(text).not.toContain('FakeClock');
  });
});
