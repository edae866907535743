/** Where a logger writes its lines. */
export interface LogDestination {
  write(chunk: string): unknown;
  flush?(callback: (error?: Error) => void): void;
}

/** Printed in the request id column outside an invocation, exactly as the managed Node.js runtime does. */
export const NO_REQUEST_ID = 'undefined';

/**
 * Turns each pino JSON line into the managed runtimes' Text layout and writes it to `target`:
 * `<timestamp>\t<requestId>\t<LEVEL>\t<message> <other fields as compact JSON>`. Every `\n` in
 * the record becomes `\r` so CloudWatch keeps it as one record.
 *
 * It parses the line pino produced rather than reading pino's raw arguments so that the text
 * output gets the same serializers and redaction as the JSON output.
 *
 * @example
 * ```ts
 * const logger = pino({ messageKey: 'message' }, new TextDestination(process.stdout));
 * ```
 */
export class TextDestination implements LogDestination {
  constructor(private readonly target: LogDestination) {}

  write(chunk: string): void {
    this.target.write(toTextLine(chunk));
  }

  flush(callback: (error?: Error) => void): void {
    flushDestination(this.target, callback);
  }
}

/** Flushes `target` when it can; calls back at once when it has nothing to flush. */
export function flushDestination(target: LogDestination, callback: (error?: Error) => void): void {
  if (typeof target.flush === 'function') {
    target.flush(callback);
  } else {
    callback();
  }
}

function toTextLine(chunk: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(chunk) as Record<string, unknown>;
  } catch {
    // Not from our pino; still keep it one record.
    return `${oneRecord(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk)}\n`;
  }
  const { timestamp, requestId, level, message, ...fields } = record;
  let body = message === undefined ? '' : typeof message === 'string' ? message : JSON.stringify(message);
  if (Object.keys(fields).length > 0) {
    const extra = JSON.stringify(fields);
    body = body === '' ? extra : `${body} ${extra}`;
  }
  return `${String(timestamp)}\t${requestId === undefined ? NO_REQUEST_ID : String(requestId)}\t${String(level)}\t${oneRecord(body)}\n`;
}

function oneRecord(text: string): string {
  return text.includes('\n') ? text.replaceAll('\n', '\r') : text;
}
