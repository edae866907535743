import type { LogFormat } from '@lambda-runtime/api';
import { isJsonFormat } from './levels.js';
import { RedactingDestination } from './redacting-destination.js';
import { type LogDestination, TextDestination } from './text-destination.js';

/**
 * What every JSON line of the runtime's logger goes through before `target`: the Text layout
 * unless `format` is JSON, then `redact`. pino writes to it, and so does the logger before pino is
 * loaded, so both phases produce the same output.
 *
 * @example
 * ```ts
 * const destination = lineDestination('Text', (line) => environment.redact(line), new SyncFdDestination(1));
 * destination.write('{"level":"INFO","timestamp":"2026-01-05T10:00:00.000Z","message":"hi"}\n');
 * ```
 */
export function lineDestination(
  format: LogFormat | undefined,
  redact: ((line: string) => string) | undefined,
  target: LogDestination,
): LogDestination {
  const redacting = redact === undefined ? target : new RedactingDestination(target, redact);
  return isJsonFormat(format) ? redacting : new TextDestination(redacting);
}
