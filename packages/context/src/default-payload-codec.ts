import {
  type EncodedPayload,
  MalformedEventError,
  type PayloadCodec,
  SerializationError,
} from '@lambda-runtime/api';

const JSON_CONTENT_TYPE = 'application/json';
const BINARY_CONTENT_TYPE = 'application/octet-stream';
const MAX_EXCERPT = 100;
const BYTE_ORDER_MARK = 0xfeff;

type BodyKind = 'json' | 'text' | 'binary';
const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** Options of {@link DefaultPayloadCodec}. */
export interface DefaultPayloadCodecOptions {
  /**
   * How a string result is sent: `'json'` (default) as a JSON string with `application/json`, as
   * the managed Node.js runtime does, so existing callers keep parsing it; `'as-is'`: its UTF-8
   * bytes with `text/plain; charset=utf-8`.
   */
  readonly strings?: 'json' | 'as-is';
}

/**
 * The default event decoder and result encoder, matching the managed Node.js runtime.
 *
 * - `decode`: `application/json`, any `+json` type, or no content type: the UTF-8 text parsed as
 *   JSON (an empty body is `undefined`); `text/*`: the UTF-8 text; anything else: a `Buffer` over
 *   the same bytes (not a copy).
 * - `encode`: bytes (`Uint8Array`, `Buffer`) as they are with `application/octet-stream`; anything
 *   else as JSON with `application/json` (`undefined`, functions and symbols become `null`, a
 *   string becomes a JSON string, unless `strings: 'as-is'`).
 *
 * @example
 * ```ts
 * const codec = new DefaultPayloadCodec();
 * const event = codec.decode(invocation.body, invocation.contentType);
 * const { body, contentType } = codec.encode(await handler(event, context));
 * ```
 */
export class DefaultPayloadCodec implements PayloadCodec {
  readonly #stringsAsIs: boolean;

  constructor(options: DefaultPayloadCodecOptions = {}) {
    this.#stringsAsIs = options.strings === 'as-is';
  }

  /**
   * @throws {@link MalformedEventError} when a JSON body is not valid JSON.
   */
  decode(body: Uint8Array, contentType: string): unknown {
    const kind = kindOf(contentType);
    if (kind === 'binary') {
      return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    }
    if (kind === 'text') {
      return utf8(body);
    }
    if (body.byteLength === 0) {
      return undefined;
    }
    try {
      return JSON.parse(utf8(body));
    } catch (error) {
      throw new MalformedEventError(`The event is not valid JSON: ${excerpt(messageOf(error))}`, {
        cause: error,
      });
    }
  }

  /**
   * @throws {@link SerializationError} when `JSON.stringify` throws (circular structure, BigInt,
   * a throwing `toJSON`).
   */
  encode(result: unknown): EncodedPayload {
    if (result instanceof Uint8Array) {
      return { body: result, contentType: BINARY_CONTENT_TYPE };
    }
    if (this.#stringsAsIs && typeof result === 'string') {
      return { body: result, contentType: TEXT_CONTENT_TYPE };
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(result);
    } catch (error) {
      throw new SerializationError(
        `Unable to serialize the handler's result as JSON: ${excerpt(messageOf(error))}`,
        { cause: error },
      );
    }
    // JSON.stringify returns undefined for undefined, functions and symbols; the managed runtime sends null.
    return { body: json ?? 'null', contentType: JSON_CONTENT_TYPE };
  }
}

function kindOf(contentType: string): BodyKind {
  // The loop's usual value: skip the parsing below.
  if (contentType === JSON_CONTENT_TYPE) {
    return 'json';
  }
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === '' || mediaType === JSON_CONTENT_TYPE || mediaType.endsWith('+json')) {
    return 'json';
  }
  return mediaType.startsWith('text/') ? 'text' : 'binary';
}

function utf8(body: Uint8Array): string {
  // A view over the same memory: decoding must not copy the event first.
  const text = (
    Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  ).toString('utf8');
  // Buffer#toString keeps a byte-order mark, which JSON.parse rejects; TextDecoder would drop it too.
  return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function excerpt(text: string): string {
  return text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT)}…` : text;
}
