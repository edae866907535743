/**
 * Reserved variables whose values are secrets. They are readable through
 * `LambdaEnvironment.get(name)` (the function may need them) but never shown by the environment or
 * its credentials. Loggers can scrub these values from their output.
 *
 * @example
 * ```ts
 * const secrets = SECRET_VARIABLE_NAMES.map((name) => environment.get(name)).filter((value) => value !== undefined);
 * ```
 */
export const SECRET_VARIABLE_NAMES = Object.freeze([
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_LAMBDA_METADATA_TOKEN',
] as const);

/** One of {@link SECRET_VARIABLE_NAMES}. */
export type SecretVariableName = (typeof SECRET_VARIABLE_NAMES)[number];

/** What a secret's value is replaced with wherever the environment is shown. */
export const REDACTED = '[redacted]';
