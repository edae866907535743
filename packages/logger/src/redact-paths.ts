const CREDENTIAL_FIELDS = [
  'authorization',
  'Authorization',
  'secretAccessKey',
  'sessionToken',
  'password',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_LAMBDA_METADATA_TOKEN',
];

/**
 * pino `redact` paths for the opt-in `redactPaths` logger option: each credential field name at the
 * top level, one level down (`*.name`, e.g. `credentials.secretAccessKey`, `env.AWS_SESSION_TOKEN`) and inside a
 * nested `headers` object. Values become `"[Redacted]"`. Field names only: a secret inside a
 * message string or deeper in an object is not scrubbed.
 *
 * @example
 * ```ts
 * const logger = createLogger({ redactPaths: REDACT_PATHS });
 * logger.info({ credentials }, 'assumed role'); // {"credentials":{"accessKeyId":"AKIA…","secretAccessKey":"[Redacted]",…}}
 * ```
 */
export const REDACT_PATHS: readonly string[] = CREDENTIAL_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.headers.${field}`,
]);
