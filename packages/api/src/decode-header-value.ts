// Header values are bytes; HTTP libraries hand them over as Latin-1 strings (one char per byte).
const NON_ASCII = /[\x80-\uffff]/;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a header value an HTTP library read as Latin-1 (one character per byte, the way Node's
 * `http`, undici and `Buffer#toString('latin1')` read field values) into the text the Runtime API
 * meant: its bytes decoded as UTF-8. Bytes that are not valid UTF-8 are kept as read (Latin-1), so
 * nothing is lost: `Buffer.from(value, 'latin1')` gives them back. ASCII values are returned as they
 * are, at the cost of one regular-expression test; so is a value that already holds characters
 * beyond Latin-1 (it was decoded before).
 *
 * Every transport applies it to response header values (see `TransportResponse.headers`).
 *
 * @example
 * ```ts
 * decodeHeaderValue(Buffer.from('José 🚀', 'utf8').toString('latin1')); // 'José 🚀'
 * decodeHeaderValue('Jos\u00e9'); // 'José' (the byte 0xE9 alone is not UTF-8: kept)
 * ```
 */
export function decodeHeaderValue(value: string): string {
  if (!NON_ASCII.test(value) || BEYOND_LATIN1.test(value)) return value;
  try {
    return strictUtf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
