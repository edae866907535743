/**
 * True when the emulator refused an invocation because too many already wait (its
 * `TooManyRequestsError`, `errorType: 'TooManyRequestsException'`); the front doors answer 429.
 */
export function isThrottle(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { errorType?: unknown }).errorType === 'TooManyRequestsException'
  );
}
