import type { Handler, InvocationContext } from '@lambda-runtime/api';
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
