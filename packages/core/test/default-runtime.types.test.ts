import type { Handler, Initializer, InvocationContext } from '@lambda-runtime/api';
import type { DefaultInvocationContext } from '@lambda-runtime/context';
import type {
  APIGatewayProxyHandlerV2,
  Context as AwsContext,
  Handler as AwsHandler,
  SQSBatchResponse,
  SQSEvent,
  SQSHandler,
} from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
// Through the barrel, as users do: it loads reflect-metadata before tsyringe.
import { defaultRuntime, LambdaRuntime } from '../src/index.js';

// Compile-time checks: `pnpm lint` type-checks this file (tsc -p tsconfig.tests.json), so every
// `@ts-expect-error` below fails the build if the line it guards starts to compile.

interface OrderEvent {
  orderId: string;
}
interface TenantContext extends InvocationContext {
  tenant: string;
}

describe('defaultRuntime types', () => {
  it('infers event, result and context types from the initializer', () => {
    const runtime = defaultRuntime(() => (event: OrderEvent, context: TenantContext) => ({
      id: event.orderId,
      tenant: context.tenant,
    }));

    expectTypeOf(runtime).toEqualTypeOf<LambdaRuntime<TenantContext>>();
    expect(runtime).toBeInstanceOf(LambdaRuntime);
  });

  it('requires a context builder that produces the context the handler asks for', () => {
    const runtime = defaultRuntime(() => (_event: unknown, context: TenantContext) => context.tenant);

    runtime.withContextBuilder((base) => ({
      build: (invocation) => Object.assign(base.build(invocation), { tenant: 'acme' }),
    }));
    // @ts-expect-error the base context lacks `tenant`, so it is not a TenantContext builder
    runtime.withContextBuilder((base) => base);

    expect(runtime).toBeInstanceOf(LambdaRuntime);
  });

  it('accepts sync and async initializers and handlers, and rejects a non-handler initializer', () => {
    const syncHandler: Handler<{ n: number }, number> = (event) => event.n;

    const runtimes = [
      defaultRuntime(() => syncHandler),
      defaultRuntime(async () => async (event: { n: number }) => event.n + 1),
    ];
    // @ts-expect-error an initializer must return a handler function
    defaultRuntime(() => 42);

    expect(runtimes.every((runtime) => runtime instanceof LambdaRuntime)).toBe(true);
  });
});

describe('defaultRuntime types with @types/aws-lambda', () => {
  const sqsHandler: AwsHandler<SQSEvent, SQSBatchResponse> = async (event) => ({
    batchItemFailures: event.Records.filter((record) => record.body === '').map((record) => ({
      itemIdentifier: record.messageId,
    })),
  });

  it('accepts aws-lambda handlers returned from the initializer', () => {
    const apiHandler: APIGatewayProxyHandlerV2 = async (event) => ({ statusCode: 200, body: event.rawPath });
    const legacySqsHandler: SQSHandler = (_event, _context, callback) =>
      callback(null, { batchItemFailures: [] });

    const runtime = defaultRuntime(() => sqsHandler);
    const runtimes = [
      runtime,
      defaultRuntime(async () => apiHandler),
      defaultRuntime(() => legacySqsHandler),
      defaultRuntime<SQSEvent, SQSBatchResponse>(() => sqsHandler),
    ];

    expectTypeOf(runtime).toEqualTypeOf<LambdaRuntime<InvocationContext>>();
    expect(runtimes.every((runtime) => runtime instanceof LambdaRuntime)).toBe(true);
  });

  it('passes a context that is assignable to aws-lambda Context', () => {
    const context = {} as InvocationContext;

    const asAws: AwsContext = context;

    expectTypeOf<InvocationContext>().toExtend<AwsContext>();
    expectTypeOf<DefaultInvocationContext>().toExtend<AwsContext>();
    expectTypeOf<InvocationContext['memoryLimitInMB']>().toEqualTypeOf<string>();
    expectTypeOf<Handler<SQSEvent, SQSBatchResponse>>()
      .parameter(2)
      .toEqualTypeOf<Parameters<AwsHandler<SQSEvent, SQSBatchResponse>>[2]>();
    expect(asAws).toBe(context);
  });

  it('types the event and checks the result against the named types', () => {
    const runtime = defaultRuntime<SQSEvent, SQSBatchResponse>(() => async (event, context) => {
      expectTypeOf(event).toEqualTypeOf<SQSEvent>();
      expectTypeOf(context).toEqualTypeOf<InvocationContext>();
      return { batchItemFailures: [] };
    });
    const initialize: Initializer<SQSEvent, SQSBatchResponse> = () => (_event, _context, callback) =>
      callback(null, { batchItemFailures: [{ itemIdentifier: 'm-1' }] });

    // @ts-expect-error itemIdentifier must be a string
    defaultRuntime<SQSEvent, SQSBatchResponse>(() => async () => ({
      batchItemFailures: [{ itemIdentifier: 1 }],
    }));
    // @ts-expect-error a result without batchItemFailures is not an SQSBatchResponse
    defaultRuntime<SQSEvent, SQSBatchResponse>(() => async () => ({ failures: [] }));
    // @ts-expect-error the callback's result is checked too
    defaultRuntime<SQSEvent, SQSBatchResponse>(() => (_event, _context, callback) => callback(null, 'done'));
    // @ts-expect-error an SQS handler is not an initializer for API Gateway events
    const wrongEvent: Initializer<{ rawPath: string }, SQSBatchResponse> = () => sqsHandler;

    expect(runtime).toBeInstanceOf(LambdaRuntime);
    expect([initialize, wrongEvent].every((value) => typeof value === 'function')).toBe(true);
  });
});
