/**
 * The message of a thrown value, for one line of output: an error's `message`, anything else as
 * a string (a thrown string stays itself).
 *
 * @example
 * ```ts
 * process.stderr.write(`lambda-dev build: ${messageOf(error)}\n`);
 * ```
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
