import { HandlerNotFoundError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { parseHandlerSpec } from '../src/handler-spec.js';
import { pickHandler } from '../src/pick-handler.js';

describe('pickHandler', () => {
  it('returns the nested export when the module has it', () => {
    const create = () => 'created';

    const handler = pickHandler({ handlers: { create } }, parseHandlerSpec('orders.handlers.create'), 'm');

    expect(handler).toBe(create);
  });

  it('walks the default export when the module itself has no such export', () => {
    const handler = () => 'ok';

    const picked = pickHandler({ default: { handler } }, parseHandlerSpec('app.handler'), 'm');

    expect(picked).toBe(handler);
  });

  it('names the source when the export is missing', () => {
    const pick = () => pickHandler({}, parseHandlerSpec('app.handler'), "module 'app' (/task/app.js)");

    expect(pick).toThrow(HandlerNotFoundError);
    expect(pick).toThrow(
      "app.handler is undefined or not exported: module 'app' (/task/app.js) has no export 'handler'",
    );
  });

  it('says what the export is when it is not a function', () => {
    const pick = () => pickHandler({ handler: [1] }, parseHandlerSpec('app.handler'), "module 'app'");

    expect(pick).toThrow("app.handler is not a function: export 'handler' of module 'app' is an array");
  });
});
