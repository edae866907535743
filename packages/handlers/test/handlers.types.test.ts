import type { Handler, Initializer, InvocationContext } from '@lambda-runtime/api';
import type {
  APIGatewayProxyHandlerV2,
  Handler as AwsHandler,
  SQSBatchResponse,
  SQSEvent,
  SQSHandler,
  SQSRecord,
} from 'aws-lambda';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { handlers } from '../src/handlers.js';
import type { StandardSchemaV1 } from '../src/standard-schema.js';
import { validated } from '../src/validated.js';

// Compile-time checks: `pnpm lint` type-checks this file (tsc -p tsconfig.tests.json), so every
// `@ts-expect-error` below fails the build if the line it guards starts to compile.

const OrderSchema = v.object({ orderId: v.string(), quantity: v.optional(v.number(), 1) });

// Checked against aws-lambda's own types, so the schema cannot drift from SQSEvent.
const SqsEventSchema = v.object({
  Records: v.array(
    v.object({
      messageId: v.string(),
      receiptHandle: v.string(),
      body: v.string(),
      attributes: v.object({
        ApproximateReceiveCount: v.string(),
        SentTimestamp: v.string(),
        SenderId: v.string(),
        ApproximateFirstReceiveTimestamp: v.string(),
      }),
      messageAttributes: v.record(
        v.string(),
        v.object({ dataType: v.string(), stringValue: v.optional(v.string()) }),
      ),
      md5OfBody: v.string(),
      eventSource: v.string(),
      eventSourceARN: v.string(),
      awsRegion: v.string(),
    }),
  ),
}) satisfies StandardSchemaV1<unknown, SQSEvent>;

interface TenantContext extends InvocationContext {
  readonly tenant: string;
}

const sqsHandler: AwsHandler<SQSEvent, SQSBatchResponse> = async (event) => ({
  batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
});

describe('validated types', () => {
  it("types the event as the schema's output and keeps the result and context types", () => {
    const handler = validated(OrderSchema, async (event, context) => {
      expectTypeOf(event).toEqualTypeOf<{ orderId: string; quantity: number }>();
      expectTypeOf(context).toEqualTypeOf<InvocationContext>();
      return { id: event.orderId };
    });
    const tenantHandler = validated(OrderSchema, (_event, context: TenantContext) => context.tenant);

    expectTypeOf(handler).toEqualTypeOf<Handler<unknown, { id: string }, InvocationContext>>();
    expectTypeOf(tenantHandler).toEqualTypeOf<Handler<unknown, string, TenantContext>>();
    expect(typeof handler).toBe('function');
  });

  it('accepts aws-lambda handlers whose event type the schema produces, and rejects the others', () => {
    const legacy: SQSHandler = (_event, _context, callback) => callback(null, { batchItemFailures: [] });

    const handler = validated(SqsEventSchema, sqsHandler);
    const legacyHandler = validated(SqsEventSchema, legacy);
    // @ts-expect-error the order schema does not produce an SQSEvent
    validated(OrderSchema, sqsHandler);
    // @ts-expect-error a record schema is not an event schema
    validated(v.object({ messageId: v.string() }), async (record: SQSRecord) => record.body);

    expectTypeOf(handler).toEqualTypeOf<Handler<unknown, SQSBatchResponse, InvocationContext>>();
    expect([handler, legacyHandler].every((value) => typeof value === 'function')).toBe(true);
  });

  it('checks the result when the result type is named', () => {
    const ok = validated<typeof SqsEventSchema, SQSBatchResponse>(SqsEventSchema, async (event) => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    }));

    // @ts-expect-error itemIdentifier must be a string
    validated<typeof SqsEventSchema, SQSBatchResponse>(SqsEventSchema, async () => ({
      batchItemFailures: [{ itemIdentifier: 1 }],
    }));
    const wrong: Initializer<unknown, SQSBatchResponse> = () =>
      // @ts-expect-error the initializer promises an SQSBatchResponse, the handler returns a string
      validated(OrderSchema, async (event) => event.orderId);

    expect([ok, wrong].every((value) => typeof value === 'function')).toBe(true);
  });

  it('accepts any Standard Schema, not only valibot', () => {
    const zodLike: StandardSchemaV1<unknown, { id: number }> = {
      '~standard': {
        version: 1,
        vendor: 'zod-like',
        validate: (value) => ({ value: value as { id: number } }),
      },
    };

    const handler = validated(zodLike, (event) => event.id + 1);

    // @ts-expect-error a valibot parse function is not a Standard Schema
    expect(() => validated(v.parse, () => undefined)).toThrow(TypeError);
    expectTypeOf(handler).toEqualTypeOf<Handler<unknown, number, InvocationContext>>();
  });
});

describe('handlers types', () => {
  it('takes handlers of any event, aws-lambda handlers, validated handlers and init entries', () => {
    const apiHandler: APIGatewayProxyHandlerV2 = async (event) => ({ statusCode: 200, body: event.rawPath });

    const initialize = handlers({
      'orders.process': sqsHandler,
      'orders.http': apiHandler,
      'orders.create': validated(OrderSchema, async (event) => ({ id: event.orderId })),
      'orders.get': {
        init:
          async ({ env }) =>
          async (event: { orderId: string }) => ({ id: event.orderId, region: env.region }),
      },
      'orders.legacy': { init: () => sqsHandler },
    });

    expectTypeOf(initialize).toEqualTypeOf<Initializer<unknown, unknown, InvocationContext>>();
    expect(typeof initialize).toBe('function');
  });

  it('infers a custom context and rejects entries that are not handlers', () => {
    const initialize = handlers({ tenant: (_event: unknown, context: TenantContext) => context.tenant });

    // @ts-expect-error a number is not a handler
    handlers({ 'orders.get': 42 });
    // @ts-expect-error init must be a function returning a handler
    handlers({ 'orders.get': { init: () => 'not a handler' } });
    // @ts-expect-error a handler entry must be the function itself, not an object holding it
    handlers({ 'orders.get': { handler: sqsHandler } });

    expectTypeOf(initialize).toEqualTypeOf<Initializer<unknown, unknown, TenantContext>>();
    expect(typeof initialize).toBe('function');
  });
});
