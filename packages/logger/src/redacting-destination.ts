import { flushDestination, type LogDestination } from './text-destination.js';

/**
 * Passes every line through `redact` before `target` gets it: the last stop before a line leaves
 * the process, so whatever a handler logs (nested objects, messages, `console.*` output) is covered.
 *
 * @example
 * ```ts
 * const destination = new RedactingDestination(process.stdout, (line) => environment.redact(line));
 * ```
 */
export class RedactingDestination implements LogDestination {
  constructor(
    private readonly target: LogDestination,
    private readonly redact: (line: string) => string,
  ) {}

  write(chunk: string): void {
    this.target.write(this.redact(chunk));
  }

  flush(callback: (error?: Error) => void): void {
    flushDestination(this.target, callback);
  }
}
