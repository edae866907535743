// Header values are bytes; HTTP libraries hand them over as Latin-1 strings (one char per byte).
const NON_ASCII = /[\x80-\uffff]/;
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** First of the lone low surrogates U+DC80–U+DCFF that stand for the bytes 0x80–0xFF. */
const ESCAPE_BASE = 0xdc00;
// One lone surrogate U+DC80–U+DCFF, captured. With the `u` flag a surrogate pair is one code point,
// so the low half of a genuine pair (U+1F080 is D83C DC80) never matches.
const ESCAPED_BYTE = /([\udc80-\udcff])/u;

/**
 * Turns a header value an HTTP library read as Latin-1 (one character per byte, the way Node's
 * `http`, undici and `Buffer#toString('latin1')` read field values) into the text the Runtime API
 * meant: its bytes decoded as UTF-8.
 *
 * Bytes that are not part of well-formed UTF-8 become lone low surrogates U+DC80–U+DCFF (byte `b`
 * as `U+DC00 + b`, the "surrogateescape" of PEP 383), while the well-formed parts around them are
 * decoded. Genuine text never holds a lone surrogate, so the result is unambiguous and nothing is
 * lost: {@link headerValueBytes} gives the bytes back, and `RuntimeApiPath` percent-encodes a
 * request id from them. (Keeping such a value as Latin-1 was ambiguous: `José` could be the bytes
 * `4A 6F 73 C3 A9` or `4A 6F 73 E9`, so an id with invalid bytes was answered under another id.)
 *
 * ASCII values are returned as they are, at the cost of one regular-expression test; so is a value
 * that already holds characters beyond Latin-1 (it was decoded before).
 *
 * Every transport applies it to response header values (see `TransportResponse.headers`).
 *
 * @example
 * ```ts
 * decodeHeaderValue(Buffer.from('José 🚀', 'utf8').toString('latin1')); // 'José 🚀'
 * decodeHeaderValue('Jos\u00e9'); // 'Jos\udce9' (the byte 0xE9 alone is not UTF-8)
 * ```
 */
export function decodeHeaderValue(value: string): string {
  if (!NON_ASCII.test(value) || BEYOND_LATIN1.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

/**
 * The bytes a header value decoded by {@link decodeHeaderValue} came from: its text as UTF-8, each
 * lone surrogate U+DC80–U+DCFF as the byte it stands for.
 *
 * @example
 * ```ts
 * headerValueBytes('Jos\udce9'); // <Buffer 4a 6f 73 e9>
 * ```
 */
export function headerValueBytes(value: string): Buffer {
  return Buffer.concat(
    mapEscapes(
      value,
      (text) => Buffer.from(text, 'utf8'),
      (byte) => Buffer.from([byte]),
    ),
  );
}

/**
 * A header value decoded by {@link decodeHeaderValue} percent-encoded from its bytes, as
 * `encodeURIComponent` does for text: the form a request id takes in a Runtime API path.
 *
 * @example
 * ```ts
 * encodeHeaderValueComponent('a/b Jos\udce9'); // 'a%2Fb%20Jos%E9'
 * ```
 */
export function encodeHeaderValueComponent(value: string): string {
  return mapEscapes(value, encodeURIComponent, (byte) => `%${byte.toString(16).toUpperCase()}`).join('');
}

/** `value` cut at its escapes: the text between them through `text`, each escaped byte through `byte`. */
function mapEscapes<T>(value: string, text: (part: string) => T, byte: (byte: number) => T): T[] {
  if (!ESCAPED_BYTE.test(value)) return [text(value)];
  // split with a capturing group: odd indexes hold the escapes.
  return value
    .split(ESCAPED_BYTE)
    .map((part, index) => (index % 2 === 1 ? byte(part.charCodeAt(0) - ESCAPE_BASE) : text(part)));
}

/** Decodes the well-formed UTF-8 runs of `bytes`, escaping every other byte. */
function decodeEscaping(bytes: Buffer): string {
  let text = '';
  let runStart = 0;
  let index = 0;
  while (index < bytes.length) {
    const length = wellFormedLength(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    text +=
      bytes.toString('utf8', runStart, index) + String.fromCharCode(ESCAPE_BASE + (bytes[index] as number));
    index += 1;
    runStart = index;
  }
  return text + bytes.toString('utf8', runStart, index);
}

/** Length of the well-formed UTF-8 sequence at `index` (RFC 3629, table 3-7 of Unicode), 0 if none. */
function wellFormedLength(bytes: Buffer, index: number): number {
  const first = bytes[index] as number;
  if (first < 0x80) return 1;
  const inRange = (offset: number, low: number, high: number): boolean => {
    const byte = bytes[index + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (first >= 0xc2 && first <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0;
  if (first >= 0xe0 && first <= 0xef) {
    const low = first === 0xe0 ? 0xa0 : 0x80;
    const high = first === 0xed ? 0x9f : 0xbf;
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) ? 3 : 0;
  }
  if (first >= 0xf0 && first <= 0xf4) {
    const low = first === 0xf0 ? 0x90 : 0x80;
    const high = first === 0xf4 ? 0x8f : 0xbf;
    return inRange(1, low, high) && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}
