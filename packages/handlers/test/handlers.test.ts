import {
  type Handler,
  HandlerNotFoundError,
  type InitializeOptions,
  toErrorDocument,
} from '@lambda-runtime/api';
import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import { type HandlerMap, handlers } from '../src/handlers.js';
import { validated } from '../src/validated.js';
import {
  environment,
  initializeOptions,
  invocationContext,
  recordingCallback,
  recordingLogger,
} from './support.js';

const createOrder: Handler<{ id: string }, string> = (event) => `created ${event.id}`;
const getOrder: Handler<{ id: string }, string> = async (event) => `got ${event.id}`;

async function initFailure(entries: HandlerMap, name: string | undefined): Promise<HandlerNotFoundError> {
  const failure = await Promise.resolve(handlers(entries)(initializeOptions(name))).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(HandlerNotFoundError);
  return failure as HandlerNotFoundError;
}

describe('handlers', () => {
  it('returns the handler named by _HANDLER itself', async () => {
    const initialize = handlers({ 'orders.create': createOrder, 'orders.get': getOrder });

    const created = await initialize(initializeOptions('orders.create'));
    const got = await initialize(initializeOptions('orders.get'));

    expect(created).toBe(createOrder);
    expect(got).toBe(getOrder);
  });

  it("runs only the selected entry's init, with the runtime's env and logger", async () => {
    const otherInit = vi.fn(() => createOrder);
    const selectedInit = vi.fn(
      async ({ env }: InitializeOptions) =>
        (event: { id: string }) =>
          `${env.functionName} ${event.id}`,
    );
    const options = initializeOptions('orders.get');

    const handler = await handlers({
      'orders.create': { init: otherInit },
      'orders.get': { init: selectedInit },
    })(options);

    expect(otherInit).not.toHaveBeenCalled();
    expect(selectedInit).toHaveBeenCalledExactlyOnceWith(options);
    expect(await handler({ id: '7' }, invocationContext(), recordingCallback())).toBe('test_function 7');
  });

  it('selects validated handlers, which still validate', async () => {
    const handler = await handlers({
      'orders.get': validated(v.object({ id: v.string() }), (event) => `got ${event.id}`),
    })(initializeOptions('orders.get'));

    expect(handler({ id: 'a' }, invocationContext(), recordingCallback())).toBe('got a');
    expect(() => handler({ id: 1 }, invocationContext(), recordingCallback())).toThrow('id: Invalid type');
  });

  it('fails with HandlerNotFoundError listing the known names when _HANDLER names no entry', async () => {
    const error = await initFailure(
      { 'orders.create': createOrder, 'orders.get': getOrder },
      'orders.delete',
    );

    expect(toErrorDocument(error)).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage:
        'No handler named "orders.delete" (from _HANDLER); known handlers: orders.create, orders.get',
    });
  });

  it('fails with HandlerNotFoundError listing the known names when _HANDLER is not set', async () => {
    const error = await initFailure({ 'orders.create': createOrder }, undefined);

    expect(error.message).toBe(
      '_HANDLER is not set, so no handler can be chosen; known handlers: orders.create',
    );
  });

  it('says so when no handlers are registered', async () => {
    const error = await initFailure({}, 'orders.create');

    expect(error.message).toBe('No handler named "orders.create" (from _HANDLER); none are registered');
  });

  it('never finds inherited Object.prototype members when _HANDLER names one', async () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

    const errors = await Promise.all(names.map((name) => initFailure({ 'orders.get': getOrder }, name)));

    expect(errors.map((error) => error.message)).toEqual(
      names.map((name) => `No handler named "${name}" (from _HANDLER); known handlers: orders.get`),
    );
  });

  it('fails with HandlerNotFoundError when the selected entry is not a handler', async () => {
    const entries = { number: 42, empty: {}, badInit: { init: 'x' }, nothing: null } as unknown as HandlerMap;

    const errors = await Promise.all(
      ['number', 'empty', 'badInit', 'nothing'].map((name) => initFailure(entries, name)),
    );

    expect(errors.map((error) => error.message)).toEqual([
      'Handler "number" is a value of type number, not a handler function or an object with an init function',
      'Handler "empty" is a value of type object, not a handler function or an object with an init function',
      'Handler "badInit" is a value of type object, not a handler function or an object with an init function',
      'Handler "nothing" is null, not a handler function or an object with an init function',
    ]);
  });

  it('fails with HandlerNotFoundError when an init returns something other than a function', async () => {
    const entries = { 'orders.get': { init: async () => ({ handler: getOrder }) } } as unknown as HandlerMap;

    const error = await initFailure(entries, 'orders.get');

    expect(error.message).toBe(
      'The init of handler "orders.get" returned a value of type object instead of a handler function',
    );
  });

  it("lets an init's own failure through unchanged", async () => {
    const failure = new Error('table not found');
    const initialize = handlers({ 'orders.get': { init: () => Promise.reject(failure) } });

    await expect(initialize(initializeOptions('orders.get'))).rejects.toBe(failure);
  });

  it('reads the names once, when it is called', async () => {
    const entries: Record<string, Handler<never, unknown>> = { 'orders.get': getOrder };
    const initialize = handlers(entries);
    entries['orders.late'] = createOrder;
    delete entries['orders.get'];

    const handler = await initialize(initializeOptions('orders.get'));
    const late = await Promise.resolve(initialize(initializeOptions('orders.late'))).catch(
      (error: unknown) => error,
    );

    expect(handler).toBe(getOrder);
    expect(late).toBeInstanceOf(HandlerNotFoundError);
  });

  it('logs the selected name at debug level', async () => {
    const logger = recordingLogger();

    await handlers({ 'orders.get': getOrder })({ env: environment('orders.get'), logger });

    expect(logger.calls).toEqual([['debug', { handler: 'orders.get' }, 'Handler selected']]);
  });
});
