/** Why {@link scaffoldProject} refused to write a project. */
export type ScaffoldErrorCode = 'INVALID_NAME' | 'TARGET_NOT_EMPTY';

/**
 * A project that `lambda-dev new` will not write: the name is not a valid npm package name, or the
 * target exists and is not an empty folder. Nothing has been written when it is thrown.
 *
 * @example
 * ```ts
 * try {
 *   await scaffoldProject({ name: 'Orders' });
 * } catch (error) {
 *   if (error instanceof ScaffoldError && error.code === 'INVALID_NAME') console.error(error.message);
 * }
 * ```
 */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';

  constructor(
    readonly code: ScaffoldErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
