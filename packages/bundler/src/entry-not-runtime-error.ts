/**
 * The entry never loads `@lambda-runtime/core`: bundled, it would start, run nothing and exit 0.
 *
 * @example
 * ```ts
 * try {
 *   await bundleFunction({ entry: 'src/orders.ts', outfile: 'dist/bootstrap.cjs' });
 * } catch (error) {
 *   if (error instanceof EntryNotRuntimeError) console.error(error.message);
 * }
 * ```
 */
export class EntryNotRuntimeError extends Error {
  readonly code = 'ERR_ENTRY_NOT_RUNTIME';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EntryNotRuntimeError';
  }
}
