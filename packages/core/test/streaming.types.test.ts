import type { InvocationContext, ResponseStream } from '@lambda-runtime/api';
import { streamingHandler } from '@lambda-runtime/handlers';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultRuntime, LambdaRuntime } from '../src/index.js';

// Compile-time checks: `pnpm lint` type-checks this file (tsc -p tsconfig.tests.json).

interface TenantContext extends InvocationContext {
  tenant: string;
}

describe('defaultRuntime types with streaming handlers', () => {
  it('accepts an initializer that returns a streaming handler, keeping its context type', () => {
    const plain = defaultRuntime(() => streamingHandler(async (_event, stream) => stream.end('ok')));
    const tenant = defaultRuntime(async () =>
      streamingHandler(async (_event: { id: string }, stream, context: TenantContext) => {
        stream.end(context.tenant);
      }),
    );

    expectTypeOf(plain).toEqualTypeOf<LambdaRuntime<InvocationContext>>();
    expectTypeOf(tenant).toEqualTypeOf<LambdaRuntime<TenantContext>>();
    expect(tenant).toBeInstanceOf(LambdaRuntime);
  });

  it('still types the parameters of a buffered handler written inline', () => {
    const runtime = defaultRuntime(() => async (event: { n: number }, context) => {
      expectTypeOf(context).toEqualTypeOf<InvocationContext>();
      return event.n;
    });
    const unmarked = async (_event: unknown, stream: ResponseStream, _context: InvocationContext) =>
      stream.end();
    // @ts-expect-error an unmarked function taking a response stream is not a handler
    defaultRuntime(() => unmarked);

    expect(runtime).toBeInstanceOf(LambdaRuntime);
  });
});
