import { type Callback, type Handler, InvalidEventError, type InvocationContext } from '@lambda-runtime/api';
import type { StandardSchemaV1 } from './standard-schema.js';

/** How many issues the error message spells out; `issues` on the error keeps them all. */
const MESSAGE_ISSUE_LIMIT = 10;

/**
 * Wraps `handler` so that it only ever sees events that match `schema`. Any Standard Schema v1
 * validator works (valibot, zod 3.24+, arktype, ...). The handler receives the schema's output
 * (with its defaults and transforms applied), typed as such. An event that does not match is
 * reported as an {@link InvalidEventError} (`Runtime.InvalidEvent`) naming every failing path, and
 * the handler is not called.
 *
 * Synchronous schemas add no promise and no extra frame to the call: the handler's own return
 * value (promise, value, or `undefined` for callback-style handlers) goes back to the runtime.
 *
 * @param schema - a Standard Schema v1 schema; its output type becomes the handler's event type.
 * @param handler - the handler to call with the validated event.
 * @returns a handler that accepts any event.
 * @throws TypeError at once when `schema` does not implement Standard Schema v1.
 *
 * @example
 * ```ts
 * import * as v from 'valibot';
 * import { validated } from '@lambda-runtime/handlers';
 *
 * const OrderEvent = v.object({ orderId: v.string(), quantity: v.pipe(v.number(), v.integer()) });
 *
 * export const createOrder = validated(OrderEvent, async (event) => {
 *   // event: { orderId: string; quantity: number }
 *   return { id: event.orderId };
 * });
 * // { "quantity": "2" } fails with Runtime.InvalidEvent:
 * // "Invalid event (2 issues): orderId: Invalid key: ...; quantity: Invalid type: Expected number but received "2""
 * ```
 */
export function validated<
  TSchema extends StandardSchemaV1,
  TResult = unknown,
  TContext extends InvocationContext = InvocationContext,
>(
  schema: TSchema,
  handler: Handler<StandardSchemaV1.InferOutput<TSchema>, TResult, TContext>,
): Handler<unknown, TResult, TContext> {
  // Read once: some libraries build `~standard` in a getter.
  const standard = standardProps(schema);
  if (typeof handler !== 'function') {
    throw new TypeError(`validated(schema, handler): handler must be a function, got ${typeof handler}`);
  }

  const wrapper = (event: unknown, context: TContext, callback: Callback<TResult>) => {
    const result = standard.validate(event);
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then((settled) => completeAsync(settled, handler, context, callback));
    }
    if (result.issues) {
      throw invalidEvent(result.issues);
    }
    return handler(result.value, context, callback);
  };
  // Same arity as the wrapped handler, so code that tells callback-style handlers apart by their
  // declared parameters (as the managed runtime does) sees the user's handler, not the wrapper.
  Object.defineProperty(wrapper, 'length', { value: handler.length });
  return wrapper;
}

/**
 * Formats one Standard Schema issue as `path.to.field: message` (`(root)` when the problem is the
 * event itself), the form {@link InvalidEventError.issues} uses.
 *
 * @example
 * ```ts
 * formatIssue({ message: 'Invalid type: Expected string', path: ['Records', 0, { key: 'body' }] });
 * // 'Records.0.body: Invalid type: Expected string'
 * ```
 */
export function formatIssue(issue: StandardSchemaV1.Issue): string {
  const path = issue.path ?? [];
  const where =
    path.length === 0
      ? '(root)'
      : path.map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
  return `${where}: ${issue.message}`;
}

function invalidEvent(issues: ReadonlyArray<StandardSchemaV1.Issue>): InvalidEventError {
  const lines = issues.map(formatIssue);
  const shown = lines.slice(0, MESSAGE_ISSUE_LIMIT).join('; ');
  const more = lines.length > MESSAGE_ISSUE_LIMIT ? `; and ${lines.length - MESSAGE_ISSUE_LIMIT} more` : '';
  const message =
    lines.length === 0
      ? 'Invalid event'
      : lines.length === 1
        ? `Invalid event: ${shown}`
        : `Invalid event (${lines.length} issues): ${shown}${more}`;
  return new InvalidEventError(message, { issues: lines });
}

/**
 * After an asynchronous validation the wrapper has already returned a promise, so a returned value
 * must come through it. A callback-style handler (three declared parameters) that returns nothing
 * keeps the runtime's own callback and the promise stays pending, so the completion and its
 * empty-event-loop wait are exactly those of the unwrapped handler. A handler without a callback
 * that returns nothing answers `undefined` at once (unwrapped, it would answer when the event loop
 * drains, unless it calls `context.succeed` later: that legacy style needs a synchronous schema).
 */
function completeAsync<TEvent, TResult, TContext extends InvocationContext>(
  result: StandardSchemaV1.Result<TEvent>,
  handler: Handler<TEvent, TResult, TContext>,
  context: TContext,
  callback: Callback<TResult>,
): Promise<TResult> {
  if (result.issues) {
    throw invalidEvent(result.issues);
  }
  const returned = handler(result.value, context, callback);
  if (returned === undefined && handler.length >= 3) {
    return new Promise<TResult>(() => undefined);
  }
  return Promise.resolve(returned as TResult | Promise<TResult>);
}

function standardProps(schema: StandardSchemaV1): StandardSchemaV1.Props {
  const props = (schema as Partial<StandardSchemaV1> | null | undefined)?.['~standard'];
  if (
    typeof props !== 'object' ||
    props === null ||
    props.version !== 1 ||
    typeof props.validate !== 'function'
  ) {
    throw new TypeError(
      'validated(schema, handler): schema must implement Standard Schema v1 (a `~standard` property with version 1 and validate())',
    );
  }
  return props;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
