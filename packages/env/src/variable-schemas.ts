/**
 * valibot schemas for the reserved variables that have a format (docs/runtime-api.md section 4).
 * Issue messages are written to follow the variable's name: `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` +
 * ` must be a positive integer`. Built once, at module load.
 */
import type { InitializationType, LogFormat, LogLevel } from '@lambda-runtime/api';
import * as v from 'valibot';

/** The message of a required variable that is absent (or empty). */
export const NOT_SET = 'is not set';

/** `AWS_LAMBDA_RUNTIME_API` absent means we were not started by Lambda or an emulator (item 1). */
export const RUNTIME_API_NOT_SET = `${NOT_SET} (the runtime must be started by Lambda or an emulator)`;

// A bracketed IPv6 address or a name/IPv4 address, then a port; anything else (scheme, path,
// userinfo, bare IPv6) is rejected before this by a check with a more precise message.
const HOST_PORT = /^(?:\[(?<ipv6>[^\]]*)\]|(?<name>[^:[\]]+)):(?<port>\d{1,5})$/;
const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?';
// Underscores are allowed: container hostnames (docker compose services) often carry them.
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const DOTTED_NUMBERS = /^[0-9.]+$/;
const IPV6_SCHEMA = v.pipe(v.string(), v.ipv6());
const IPV4_SCHEMA = v.pipe(v.string(), v.ipv4());

function hasValidHost(value: string): boolean {
  const groups = HOST_PORT.exec(value)?.groups;
  if (groups?.ipv6 !== undefined) return v.is(IPV6_SCHEMA, groups.ipv6);
  const name = groups?.name ?? '';
  // All digits and dots is meant as an IPv4 address, so it must be a valid one.
  if (DOTTED_NUMBERS.test(name)) return v.is(IPV4_SCHEMA, name);
  return HOSTNAME.test(name);
}

function hasPortInRange(value: string): boolean {
  const port = Number(HOST_PORT.exec(value)?.groups?.port);
  return port >= 1 && port <= 65_535;
}

/**
 * `AWS_LAMBDA_RUNTIME_API`: `host:port` with a hostname, an IPv4 address or a bracketed IPv6
 * address, and a port in 1..65535. No scheme, no path.
 *
 * @example
 * ```ts
 * v.is(RUNTIME_API_SCHEMA, '[::1]:9001'); // true
 * v.is(RUNTIME_API_SCHEMA, 'http://127.0.0.1:9001'); // false
 * ```
 */
export const RUNTIME_API_SCHEMA = v.pipe(
  v.string(RUNTIME_API_NOT_SET),
  v.check((value) => !value.includes('://'), 'must be host:port without a scheme'),
  v.check((value) => !/[/?#]/.test(value), 'must be host:port without a path'),
  v.regex(HOST_PORT, 'must be host:port with a numeric port, e.g. 127.0.0.1:9001 or [::1]:9001'),
  v.check(hasValidHost, 'must name a valid host (a hostname, an IPv4 address or a bracketed IPv6 address)'),
  v.check(hasPortInRange, 'must have a port between 1 and 65535'),
);

const POSITIVE_INTEGER = 'must be a positive integer';

/**
 * A decimal positive integer (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_MAX_CONCURRENCY`).
 *
 * @example
 * ```ts
 * v.parse(POSITIVE_INTEGER_SCHEMA, '128'); // 128
 * ```
 */
export const POSITIVE_INTEGER_SCHEMA = v.pipe(
  v.string(NOT_SET),
  v.regex(/^[0-9]+$/, POSITIVE_INTEGER),
  v.toNumber(POSITIVE_INTEGER),
  v.safeInteger(POSITIVE_INTEGER),
  v.minValue(1, POSITIVE_INTEGER),
);

/** A required variable with free-form text (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_VERSION`). */
export const REQUIRED_TEXT_SCHEMA = v.string(NOT_SET);

/** An optional variable with free-form text. */
export const OPTIONAL_TEXT_SCHEMA = v.optional(v.string());

/**
 * `AWS_LAMBDA_LOG_FORMAT`: `Text` or `JSON`, compared case-insensitively.
 *
 * @example
 * ```ts
 * v.parse(LOG_FORMAT_SCHEMA, 'json'); // 'JSON'
 * ```
 */
export const LOG_FORMAT_SCHEMA = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['text', 'json'], 'must be Text or JSON (any case)'),
  v.transform((format): LogFormat => (format === 'json' ? 'JSON' : 'Text')),
);

const LOG_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
] as const satisfies readonly LogLevel[];

/**
 * `AWS_LAMBDA_LOG_LEVEL`: one of the six levels, compared case-insensitively.
 *
 * @example
 * ```ts
 * v.parse(LOG_LEVEL_SCHEMA, 'debug'); // 'DEBUG'
 * ```
 */
export const LOG_LEVEL_SCHEMA = v.pipe(
  v.string(),
  v.toUpperCase(),
  v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')} (any case)`),
);

const INITIALIZATION_TYPES = [
  'on-demand',
  'provisioned-concurrency',
  'snap-start',
  'lambda-managed-instances',
] as const satisfies readonly InitializationType[];

/**
 * `AWS_LAMBDA_INITIALIZATION_TYPE`: one of the four values Lambda sets, exactly.
 *
 * @example
 * ```ts
 * v.parse(INITIALIZATION_TYPE_SCHEMA, 'snap-start'); // 'snap-start'
 * ```
 */
export const INITIALIZATION_TYPE_SCHEMA = v.picklist(
  INITIALIZATION_TYPES,
  `must be one of ${INITIALIZATION_TYPES.join(', ')}`,
);
