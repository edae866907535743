import type { ErrorDocument } from '@lambda-runtime/api';

/**
 * The largest `Lambda-Runtime-Function-XRay-Error-Cause` we send. The platform crops it at 64 KiB
 * and official clients drop it from 1 MiB, but HTTP servers commonly refuse requests whose headers
 * pass 16 KiB (Node's default), and a refused `/error` would lose the invocation's answer.
 */
export const MAX_XRAY_ERROR_CAUSE_BYTES = 8 * 1024;

interface StackFrame {
  readonly path: string;
  readonly line: number;
  readonly label: string;
}

// "at label (path:line:column)" or "at path:line:column"
const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):\d+\)?$/;
// Code points outside printable ASCII are escaped so the JSON is a valid header value.
const NON_ASCII = /[^\x20-\x7e]/g;

/**
 * The X-Ray error cause of an error document: `{working_directory, exceptions, paths}` as JSON with
 * only printable ASCII, within {@link MAX_XRAY_ERROR_CAUSE_BYTES}. To fit, the message is cut
 * (marked `… [truncated N characters]`) to half the bound, then stack frames are dropped, then the
 * message is cut further; `undefined` only when even the type alone does not fit. Pass the document
 * as it is posted (redacted): the cause is built from it and nothing else.
 *
 * @example
 * ```ts
 * const cause = xrayErrorCause(toErrorDocument(error)); // '{"working_directory":"/var/task",...}'
 * ```
 */
export function xrayErrorCause(
  document: ErrorDocument,
  workingDirectory = process.cwd(),
): string | undefined {
  const frames = parseFrames(document.stackTrace);
  let message = cut(document.errorMessage, MAX_XRAY_ERROR_CAUSE_BYTES / 2);
  for (;;) {
    // Fewer frames until it fits: the type and message matter most.
    for (let count = frames.length; count >= 0; count = count === 0 ? -1 : Math.floor(count / 2)) {
      const stack = frames.slice(0, count);
      const text = JSON.stringify({
        working_directory: workingDirectory,
        exceptions: [{ type: document.errorType, message, stack }],
        paths: [...new Set(stack.map((frame) => frame.path))],
      }).replace(NON_ASCII, escapeCodeUnit);
      if (text.length <= MAX_XRAY_ERROR_CAUSE_BYTES) return text;
    }
    // Escaped non-ASCII text takes up to six bytes a character: halve the message until it fits.
    if (message.length === 0) return undefined;
    message = cut(document.errorMessage, Math.floor(message.length / 2));
  }
}

// `text` within `maxChars`, marked where it was cut; never splits a surrogate pair.
function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = (dropped: number): string => `… [truncated ${dropped} characters]`;
  let keep = Math.max(0, maxChars - marker(text.length).length);
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep -= 1;
  return keep === 0 ? '' : `${text.slice(0, keep)}${marker(text.length - keep)}`;
}

function parseFrames(stackTrace: readonly string[]): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stackTrace) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const [, label, path, lineNumber] = match;
    if (path === undefined || lineNumber === undefined) continue;
    frames.push({ path, line: Number(lineNumber), label: label ?? 'anonymous' });
  }
  return frames;
}

function escapeCodeUnit(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
