import { mapCookies, mapHeaders } from './function-url-response.js';

/** `Content-Type` of a streamed response that starts with an HTTP prelude (docs/runtime-api.md §7.3). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The status, headers and cookies a streaming function sends ahead of its payload. */
export interface HttpResponsePrelude {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
}

/** How far {@link HttpIntegrationPreludeParser} got. */
export type PreludeParse =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'prelude'; readonly prelude: HttpResponsePrelude; readonly rest: Buffer }
  /** `bytes`: everything held so far, the chunk just pushed included. */
  | { readonly kind: 'invalid'; readonly reason: string; readonly bytes: Buffer };

/** Eight 0x00 bytes end the prelude. */
const DELIMITER = Buffer.alloc(8);

/** The prelude and its delimiter must come within the first 16 KiB, as API Gateway requires. */
export const MAX_PRELUDE_BYTES = 16 * 1024;

/**
 * Splits the JSON prelude (`{"statusCode","headers","cookies"}` + 8 NUL bytes) off the start of an
 * http-integration stream, holding at most {@link MAX_PRELUDE_BYTES} while it waits for the
 * delimiter. Feed it chunks until it answers `prelude` (with the payload bytes that followed) or
 * `invalid`.
 *
 * @example
 * ```ts
 * const parser = new HttpIntegrationPreludeParser();
 * const parsed = parser.push(chunk);
 * if (parsed.kind === 'prelude') respond(parsed.prelude.statusCode, parsed.rest);
 * ```
 */
export class HttpIntegrationPreludeParser {
  #held: Buffer = Buffer.alloc(0);

  push(bytes: Buffer): PreludeParse {
    this.#held = this.#held.length === 0 ? bytes : Buffer.concat([this.#held, bytes]);
    const end = this.#held.indexOf(DELIMITER);
    if (end === -1) {
      if (this.#held.length <= MAX_PRELUDE_BYTES + DELIMITER.length) return { kind: 'waiting' };
      return {
        kind: 'invalid',
        reason: `no prelude delimiter within the first ${MAX_PRELUDE_BYTES} bytes`,
        bytes: this.flush(),
      };
    }
    const prelude = parsePrelude(this.#held.subarray(0, end));
    if (typeof prelude === 'string') return { kind: 'invalid', reason: prelude, bytes: this.flush() };
    const rest = this.flush().subarray(end + DELIMITER.length);
    return { kind: 'prelude', prelude, rest };
  }

  /** Hands back the bytes held so far (a stream that ended before the delimiter) and forgets them. */
  flush(): Buffer {
    const held = this.#held;
    this.#held = Buffer.alloc(0);
    return held;
  }
}

/** The prelude, or why it is not one. */
function parsePrelude(bytes: Buffer): HttpResponsePrelude | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'the prelude is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'the prelude is not a JSON object';
  }
  const { statusCode = 200, headers, cookies } = parsed as Record<string, unknown>;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return `the prelude's statusCode ${JSON.stringify(statusCode)} is not an HTTP status`;
  }
  const mappedHeaders = mapHeaders(headers);
  if (mappedHeaders === undefined) return "the prelude's headers are not a map of strings";
  const mappedCookies = mapCookies(cookies);
  if (mappedCookies === undefined) return "the prelude's cookies are not an array of strings";
  return { statusCode, headers: mappedHeaders, cookies: mappedCookies };
}
