/** The key `util.inspect` (and so `console.log`) looks a custom view up by; the same as `util.inspect.custom`. */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** The `inspect` function Node passes to an {@link INSPECT_CUSTOM} method. */
export type InspectFunction = (value: unknown, options: object) => string;

/**
 * What an {@link INSPECT_CUSTOM} method of a redacting class returns: its name, then its redacted
 * view inspected with the caller's options (depth, colours), so `console.log` never sees a secret.
 *
 * @example
 * ```ts
 * [INSPECT_CUSTOM](_depth: number, options: object, inspect: InspectFunction): string {
 *   return inspectAs('Credentials', this.toJSON(), options, inspect);
 * }
 * ```
 */
export function inspectAs(name: string, view: unknown, options: object, inspect: InspectFunction): string {
  return `${name} ${inspect(view, options)}`;
}
