import {
  type Handler,
  HandlerNotFoundError,
  type InitializeOptions,
  type Initializer,
  type InvocationContext,
} from '@lambda-runtime/api';

/**
 * One named entry of {@link handlers}: a handler, or `{ init }` when the handler needs one-time
 * setup (clients, configuration). `init` runs only for the entry `_HANDLER` selects.
 *
 * The event type is `never` so that handlers typed for any event (`Handler<SQSEvent, ...>`, a
 * handler from `@types/aws-lambda`, a `validated(...)` handler) fit without `any`.
 */
export type HandlerEntry<TContext extends InvocationContext = InvocationContext> =
  | Handler<never, unknown, TContext>
  | { readonly init: Initializer<never, unknown, TContext> };

/** Handler entries by the name `_HANDLER` selects them with. */
export type HandlerMap<TContext extends InvocationContext = InvocationContext> = Readonly<
  Record<string, HandlerEntry<TContext>>
>;

/**
 * Several handlers in one artifact: returns an initializer that picks the entry named by `_HANDLER`
 * (the function's handler setting, `env.handler`). Names are matched exactly. A missing or unknown
 * name fails the init with {@link HandlerNotFoundError} (`Runtime.HandlerNotFound`) listing the
 * known names; nothing is checked before `run()`, so such mistakes reach `/init/error` instead of
 * crashing the process while it loads.
 *
 * @param entries - handlers (or `{ init }` factories) by name; the names are read once, here.
 * @returns an initializer for `defaultRuntime`.
 *
 * @example
 * ```ts
 * import { defaultRuntime } from '@lambda-runtime/core';
 * import { handlers } from '@lambda-runtime/handlers';
 *
 * defaultRuntime(
 *   handlers({
 *     'orders.create': createOrder,
 *     'orders.get': { init: async ({ env }) => makeGetOrder(await openTable(env.get('TABLE'))) },
 *   }),
 * ).run(); // _HANDLER=orders.get runs getOrder
 * ```
 */
export function handlers<TContext extends InvocationContext = InvocationContext>(
  entries: HandlerMap<TContext>,
): Initializer<unknown, unknown, TContext> {
  // A Map of the own keys only: `_HANDLER=constructor` or `toString` must not find Object.prototype.
  const table = new Map<string, unknown>(Object.entries(entries));
  const known = table.size === 0 ? 'none are registered' : `known handlers: ${[...table.keys()].join(', ')}`;

  return async (options: InitializeOptions): Promise<Handler<unknown, unknown, TContext>> => {
    const name = options.env.handler;
    if (name === undefined) {
      throw new HandlerNotFoundError(`_HANDLER is not set, so no handler can be chosen; ${known}`);
    }
    if (!table.has(name)) {
      throw new HandlerNotFoundError(`No handler named "${name}" (from _HANDLER); ${known}`);
    }
    const entry = table.get(name);
    if (typeof entry === 'function') {
      options.logger.debug({ handler: name }, 'Handler selected');
      return entry as Handler<unknown, unknown, TContext>;
    }
    const init = (entry as { init?: unknown } | null | undefined)?.init;
    if (typeof init !== 'function') {
      throw new HandlerNotFoundError(
        `Handler "${name}" is ${describe(entry)}, not a handler function or an object with an init function`,
      );
    }
    const handler: unknown = await init(options);
    if (typeof handler !== 'function') {
      throw new HandlerNotFoundError(
        `The init of handler "${name}" returned ${describe(handler)} instead of a handler function`,
      );
    }
    options.logger.debug({ handler: name }, 'Handler selected');
    return handler as Handler<unknown, unknown, TContext>;
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'undefined' : `a value of type ${typeof value}`;
}
