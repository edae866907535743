import {
  decodeHeaderValue,
  type PartialResponse,
  ResponseHeaderCollector,
  type TransportResponse,
} from '@lambda-runtime/api';
import { MalformedResponseError } from './malformed-response-error.js';

/** Largest status line + headers (and, separately, chunk extensions + trailers) accepted, in bytes. */
export const MAX_HEAD_BYTES = 256 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const HTTP_PREFIX = Buffer.from('HTTP/', 'latin1');
/**
 * Past {@link MAX_HEAD_BYTES} the head is refused, but read on (without keeping its long lines) up
 * to this many bytes, so that the fields it carries can be reported (see {@link ResponseParser.partial}).
 */
const MAX_OVERSIZED_HEAD_SCAN = 64 * MAX_HEAD_BYTES;
/** Longest line of an oversized head whose field is kept for {@link ResponseParser.partial}. */
const MAX_SALVAGED_LINE = 8 * 1024;
/** 13 hex digits stay below 2^53, so a chunk size is always an exact number. */
const MAX_CHUNK_SIZE_DIGITS = 13;
const EMPTY = new Uint8Array(0);
/** The headers before a head is parsed (shared: never written to). */
const NO_HEADERS: Record<string, string> = Object.freeze(Object.create(null));

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\0\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Anything but tab, CR, LF, visible ASCII and obs-text (CR and LF are checked per line).
const INVALID_HEAD_BYTE = /[^\t\r\n\x20-\x7e\x80-\xff]/;
/** Anything but tab, CR, LF and visible ASCII: one scan finds both invalid and non-ASCII bytes. */
const NOT_PLAIN_ASCII = /[^\t\r\n\x20-\x7e]/;
const DIGITS = /^\d{1,15}$/;
const CLOSE_TOKEN = /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i;
const KEEP_ALIVE_TOKEN = /(?:^|,)[ \t]*keep-alive[ \t]*(?:,|$)/i;
const CHUNKED_LAST = /(?:^|,)[ \t]*chunked[ \t]*$/i;

// Parser states.
const HEAD = 0;
const FIXED = 1;
const UNTIL_CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_EXTENSION = 4;
const CHUNK_SIZE_LF = 5;
const CHUNK_DATA = 6;
const CHUNK_DATA_CR = 7;
const CHUNK_DATA_LF = 8;
const TRAILER_START = 9;
const TRAILER_LINE = 10;
const TRAILER_END_LF = 11;
const DONE = 12;
/** The head passed {@link MAX_HEAD_BYTES}: reading on to its end only to salvage its fields. */
const OVERSIZED_HEAD = 13;

/**
 * An incremental HTTP/1.1 response parser for one response at a time, fed with socket chunks of
 * any size: status line and headers, then a body framed by `Content-Length`, `chunked`
 * (trailers read and ignored) or the end of the connection. Interim 1xx responses are skipped.
 * Bodies are kept as views of the socket chunks and copied at most once, at the end.
 *
 * Header values are decoded as UTF-8 (bytes that are not UTF-8 escaped, see `decodeHeaderValue`), and every value of a
 * repeated header is kept in `repeated`. When a response fails, {@link ResponseParser.partial} tells
 * what of it had arrived, including the fields of a head too large to accept.
 */
export class ResponseParser {
  #state = HEAD;
  /** Bytes of an incomplete head, carried over to the next chunk: `#head[0, #headLength)`. */
  #head: Buffer | undefined;
  #headLength = 0;
  #status = 0;
  #headers: Record<string, string> = NO_HEADERS;
  #repeated: Record<string, string[]> | undefined;
  /** Whether any byte of the current response arrived. */
  #started = false;
  /** The fields of a head over the limit, read while skipping to its end. */
  #salvage: HeadSalvage | undefined;
  #keepAlive = true;
  #remaining = 0;
  #chunkSizeDigits = 0;
  /** Bytes of chunk extensions and trailers seen, bounded by {@link MAX_HEAD_BYTES}. */
  #metaBytes = 0;
  #bodyParts: Buffer[] = [];
  #bodyLength = 0;
  #trailing = 0;

  /** Whether the connection may carry another request after the finished response. */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }

  /** Bytes that followed the finished response in the last chunk (a well-behaved server sends none). */
  get trailing(): number {
    return this.#trailing;
  }

  /** Makes the parser ready for the next response. */
  reset(): void {
    this.#state = HEAD;
    this.#headLength = 0;
    this.#status = 0;
    this.#headers = NO_HEADERS;
    this.#repeated = undefined;
    this.#started = false;
    this.#salvage = undefined;
    this.#keepAlive = true;
    this.#remaining = 0;
    this.#chunkSizeDigits = 0;
    this.#metaBytes = 0;
    this.#bodyParts = [];
    this.#bodyLength = 0;
    this.#trailing = 0;
  }

  /**
   * Consumes one chunk. Returns the response once it is complete (then {@link trailing} tells how
   * many bytes of the chunk were left over), `undefined` while more bytes are needed.
   *
   * @throws {@link MalformedResponseError} when the bytes are not a valid response.
   */
  execute(chunk: Buffer): TransportResponse | undefined {
    const length = chunk.length;
    if (length > 0) this.#started = true;
    let i = 0;
    while (i < length) {
      switch (this.#state) {
        case OVERSIZED_HEAD: {
          i = this.#skipOversizedHead(chunk, i);
          break;
        }
        case HEAD: {
          i = this.#executeHead(chunk, i);
          // Re-read: #executeHead moved the state on.
          if ((this.#state as number) === DONE) return this.#finishAt(length - i);
          break;
        }
        case FIXED: {
          i = this.#takeBody(chunk, i, length);
          if (this.#remaining === 0) return this.#finishAt(length - i);
          break;
        }
        case UNTIL_CLOSE: {
          this.#addBody(chunk, i, length);
          i = length;
          break;
        }
        case CHUNK_SIZE: {
          const byte = chunk[i] as number;
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (this.#chunkSizeDigits === MAX_CHUNK_SIZE_DIGITS)
              throw new MalformedResponseError('chunk size too large');
            this.#remaining = this.#remaining * 16 + digit;
            this.#chunkSizeDigits += 1;
          } else if (this.#chunkSizeDigits === 0) {
            throw new MalformedResponseError(`invalid chunk size byte 0x${byte.toString(16)}`);
          } else if (byte === CR) {
            this.#state = CHUNK_SIZE_LF;
          } else if (byte === 0x3b || byte === 0x20 || byte === 0x09) {
            this.#state = CHUNK_EXTENSION;
          } else {
            throw new MalformedResponseError(`invalid chunk size byte 0x${byte.toString(16)}`);
          }
          i += 1;
          break;
        }
        case CHUNK_EXTENSION: {
          const byte = chunk[i] as number;
          if (byte === CR) this.#state = CHUNK_SIZE_LF;
          else if (byte === LF) throw new MalformedResponseError('bare LF in a chunk extension');
          else this.#countMeta();
          i += 1;
          break;
        }
        case CHUNK_SIZE_LF: {
          if (chunk[i] !== LF) throw new MalformedResponseError('chunk size line not ended by CRLF');
          i += 1;
          this.#chunkSizeDigits = 0;
          this.#state = this.#remaining === 0 ? TRAILER_START : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          i = this.#takeBody(chunk, i, length);
          if (this.#remaining === 0) this.#state = CHUNK_DATA_CR;
          break;
        }
        case CHUNK_DATA_CR: {
          if (chunk[i] !== CR) throw new MalformedResponseError('chunk data not followed by CRLF');
          i += 1;
          this.#state = CHUNK_DATA_LF;
          break;
        }
        case CHUNK_DATA_LF: {
          if (chunk[i] !== LF) throw new MalformedResponseError('chunk data not followed by CRLF');
          i += 1;
          this.#state = CHUNK_SIZE;
          break;
        }
        case TRAILER_START: {
          const byte = chunk[i] as number;
          if (byte === CR) this.#state = TRAILER_END_LF;
          else if (byte === LF) throw new MalformedResponseError('bare LF in the trailer section');
          else {
            this.#countMeta();
            this.#state = TRAILER_LINE;
          }
          i += 1;
          break;
        }
        case TRAILER_LINE: {
          // Trailers are ignored: skip to the end of the line.
          const lineEnd = chunk.indexOf(LF, i);
          const end = lineEnd === -1 ? length : lineEnd + 1;
          this.#metaBytes += end - i;
          if (this.#metaBytes > MAX_HEAD_BYTES) throw new MalformedResponseError('trailers too large');
          if (lineEnd !== -1) this.#state = TRAILER_START;
          i = end;
          break;
        }
        case TRAILER_END_LF: {
          if (chunk[i] !== LF) throw new MalformedResponseError('trailer section not ended by CRLF');
          return this.#finishAt(length - i - 1);
        }
        default:
          // DONE: the caller must reset() before feeding the next response.
          throw new MalformedResponseError('bytes after a complete response');
      }
    }
    return undefined;
  }

  /**
   * What had arrived of the current response, for a failure report: `undefined` when not one byte
   * had; else the status and fields read so far. For a head too large to accept, these are the
   * fields of its lines up to 8 KiB, read while skipping to its end; for a head cut short, the
   * fields of its complete lines.
   */
  partial(): PartialResponse | undefined {
    if (!this.#started) return undefined;
    const salvage =
      this.#salvage ??
      (this.#state === HEAD
        ? salvageHead((this.#head ?? EMPTY_BUFFER).subarray(0, this.#headLength))
        : undefined);
    if (salvage !== undefined) {
      return {
        status: salvage.status,
        headComplete: salvage.complete,
        headers: salvage.fields.headers,
        ...(salvage.fields.repeated === undefined ? {} : { repeated: salvage.fields.repeated }),
      };
    }
    return {
      status: this.#status,
      headComplete: true,
      headers: this.#headers,
      ...(this.#repeated === undefined ? {} : { repeated: this.#repeated }),
    };
  }

  /**
   * Signals the end of the connection. Returns the response when its body was delimited by the
   * close, `undefined` when the response was cut short.
   */
  finish(): TransportResponse | undefined {
    return this.#state === UNTIL_CLOSE ? this.#finishAt(0) : undefined;
  }

  #countMeta(): void {
    this.#metaBytes += 1;
    if (this.#metaBytes > MAX_HEAD_BYTES)
      throw new MalformedResponseError('chunk extensions or trailers too large');
  }

  /**
   * Takes as many of the `#remaining` body bytes (of a fixed-length body or of a chunk) as `chunk`
   * holds from `start`; returns the index after them.
   */
  #takeBody(chunk: Buffer, start: number, end: number): number {
    const take = Math.min(this.#remaining, end - start);
    this.#addBody(chunk, start, start + take);
    this.#remaining -= take;
    return start + take;
  }

  #addBody(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    this.#bodyParts.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
    this.#bodyLength += end - start;
  }

  #finishAt(trailing: number): TransportResponse {
    this.#state = DONE;
    this.#trailing = trailing;
    const parts = this.#bodyParts;
    let body: Uint8Array;
    if (parts.length === 0) body = EMPTY;
    else {
      const joined = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.#bodyLength);
      // A plain Uint8Array view, as the contract promises, not the Buffer subclass.
      body = new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
    }
    this.#bodyParts = [];
    const repeated = this.#repeated;
    return repeated === undefined
      ? { status: this.#status, headers: this.#headers, body }
      : { status: this.#status, headers: this.#headers, repeated, body };
  }

  /** Starts reading an oversized head to its end, from the bytes of it held so far. */
  #oversized(head: Buffer): void {
    const salvage = new HeadSalvage();
    this.#salvage = salvage;
    // The carried buffer may have grown large: let it go with this connection.
    this.#head = undefined;
    this.#headLength = 0;
    salvage.feed(head, 0);
    this.#state = OVERSIZED_HEAD;
    if (salvage.complete) throw new MalformedResponseError('response head too large');
  }

  #skipOversizedHead(chunk: Buffer, offset: number): number {
    const salvage = this.#salvage as HeadSalvage;
    const end = salvage.feed(chunk, offset);
    if (salvage.complete) throw new MalformedResponseError('response head too large');
    if (salvage.scanned > MAX_OVERSIZED_HEAD_SCAN) {
      throw new MalformedResponseError('response head too large (and not ended)');
    }
    return end;
  }

  /** Reads head bytes from `offset`; returns the offset after them (the chunk's end when the head is incomplete). */
  #executeHead(chunk: Buffer, offset: number): number {
    const previous = this.#headLength;
    checkPrefix(chunk, offset, previous);
    if (previous === 0) {
      // The usual case: the whole head is in this chunk, nothing is copied.
      const end = chunk.indexOf(HEAD_END, offset);
      if (end !== -1) {
        if (end - offset > MAX_HEAD_BYTES) this.#oversized(chunk.subarray(offset, end + 4));
        this.#parseWholeHead(chunk.subarray(offset, end + 4));
        return end + 4;
      }
    }
    const bytes = this.#appendHead(chunk, offset);
    // The terminator may straddle the previous bytes and this chunk.
    const end = bytes.indexOf(HEAD_END, Math.max(0, previous - 3));
    if (end === -1) {
      if (bytes.length > MAX_HEAD_BYTES) {
        this.#oversized(bytes);
        return chunk.length;
      }
      return chunk.length;
    }
    if (end > MAX_HEAD_BYTES) this.#oversized(bytes.subarray(0, end + 4));
    this.#headLength = 0;
    this.#parseWholeHead(bytes.subarray(0, end + 4));
    return offset + end + 4 - previous;
  }

  /** Appends to the head carried over between chunks (capacity doubles, so dribbled heads stay linear). */
  #appendHead(chunk: Buffer, offset: number): Buffer {
    const length = this.#headLength + chunk.length - offset;
    let head = this.#head;
    if (head === undefined || head.length < length) {
      const grown = Buffer.allocUnsafe(Math.max(1024, length, 2 * (head?.length ?? 0)));
      head?.copy(grown, 0, 0, this.#headLength);
      head = grown;
      this.#head = grown;
    }
    chunk.copy(head, this.#headLength, offset);
    this.#headLength = length;
    return head.subarray(0, length);
  }

  /** Parses a complete head (with its blank line); when it is malformed, salvages what fields it has first. */
  #parseWholeHead(bytes: Buffer): void {
    try {
      this.#parseHead(bytes.toString('latin1', 0, bytes.length - 4));
    } catch (error) {
      this.#salvage = salvageHead(bytes);
      throw error;
    }
  }

  #parseHead(head: string): void {
    // One scan of the whole head for bytes no header may hold, instead of one per value; a CR or LF
    // outside a line break is caught below, as a line that is not a header. Heads are nearly
    // always plain ASCII: then that one scan is all, and no value needs UTF-8 decoding.
    const ascii = !NOT_PLAIN_ASCII.test(head);
    const invalid = ascii ? null : INVALID_HEAD_BYTE.exec(head);
    if (invalid !== null) {
      const line = head.slice(head.lastIndexOf('\n', invalid.index) + 1).split('\r\n')[0] ?? '';
      const colon = line.indexOf(':');
      throw new MalformedResponseError(
        `invalid characters in the value of header ${JSON.stringify(colon > 0 ? line.slice(0, colon) : line)}`,
      );
    }
    const lines = head.split('\r\n');
    const statusLine = lines[0] as string;
    const match = STATUS_LINE.exec(statusLine);
    if (match === null) throw new MalformedResponseError(`invalid status line ${JSON.stringify(statusLine)}`);
    const status = Number(match[2]);
    const collector = new ResponseHeaderCollector();
    for (let n = 1; n < lines.length; n += 1) {
      const line = lines[n] as string;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name)) throw new MalformedResponseError(`invalid header line ${JSON.stringify(line)}`);
      const raw = trimOws(line, colon + 1);
      if (raw.includes('\r') || raw.includes('\n')) {
        throw new MalformedResponseError(`invalid characters in the value of header ${JSON.stringify(name)}`);
      }
      collector.add(name.toLowerCase(), ascii ? raw : decodeHeaderValue(raw));
    }

    if (status < 200) {
      // 101 would switch protocols, which this client never asks for.
      if (status === 101) throw new MalformedResponseError('unexpected 101 Switching Protocols');
      return; // An interim response: the real one follows, still in state HEAD.
    }

    this.#status = status;
    const { headers, repeated } = collector;
    this.#headers = headers;
    this.#repeated = repeated;
    const connection = headers.connection;
    this.#keepAlive =
      match[1] === '1'
        ? connection === undefined || !CLOSE_TOKEN.test(connection)
        : connection !== undefined && KEEP_ALIVE_TOKEN.test(connection);

    if (status === 204 || status === 304) {
      this.#state = DONE;
      return;
    }
    const transferEncoding = headers['transfer-encoding'];
    const contentLength = headers['content-length'];
    if (transferEncoding !== undefined) {
      // Both framings at once is how smuggling starts: honour chunked, never reuse the connection.
      if (contentLength !== undefined) this.#keepAlive = false;
      if (CHUNKED_LAST.test(transferEncoding)) {
        this.#remaining = 0;
        this.#state = CHUNK_SIZE;
      } else {
        this.#keepAlive = false;
        this.#state = UNTIL_CLOSE;
      }
      return;
    }
    if (contentLength !== undefined) {
      this.#remaining = parseContentLength(contentLength);
      this.#state = this.#remaining === 0 ? DONE : FIXED;
      return;
    }
    this.#keepAlive = false;
    this.#state = UNTIL_CLOSE;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

/** The fields of the complete lines of (part of) a head. */
function salvageHead(bytes: Buffer): HeadSalvage {
  const salvage = new HeadSalvage();
  salvage.feed(bytes, 0);
  return salvage;
}

/**
 * Reads the lines of a head that cannot be accepted whole, keeping the fields of lines up to
 * {@link MAX_SALVAGED_LINE} bytes (at most {@link MAX_HEAD_BYTES} of them) and skipping longer ones,
 * in constant memory per line. Lenient: lines that are not valid fields are skipped.
 */
class HeadSalvage {
  status: number | undefined;
  readonly fields = new ResponseHeaderCollector();
  /** The blank line ending the head was seen. */
  complete = false;
  /** Bytes read so far. */
  scanned = 0;
  #line: Buffer[] = [];
  #lineLength = 0;
  #kept = 0;
  #lines = 0;

  /** Reads from `offset` up to the end of the head (or of the chunk); returns the offset after that. */
  feed(chunk: Buffer, offset: number): number {
    let i = offset;
    while (i < chunk.length && !this.complete) {
      const lf = chunk.indexOf(LF, i);
      const end = lf === -1 ? chunk.length : lf;
      if (this.#lineLength + end - i <= MAX_SALVAGED_LINE)
        this.#line.push(Buffer.from(chunk.subarray(i, end)));
      this.#lineLength += end - i;
      this.scanned += end - i;
      if (lf === -1) return chunk.length;
      this.scanned += 1;
      this.#endLine();
      i = lf + 1;
    }
    return i;
  }

  #endLine(): void {
    const tooLong = this.#lineLength > MAX_SALVAGED_LINE;
    let line = tooLong ? undefined : Buffer.concat(this.#line).toString('latin1');
    this.#line = [];
    this.#lineLength = 0;
    this.#lines += 1;
    if (line === undefined) return;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (this.#lines === 1) {
      const match = STATUS_LINE.exec(line);
      if (match !== null) this.status = Number(match[2]);
      return;
    }
    if (line.length === 0) {
      this.complete = true;
      return;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name) || INVALID_HEAD_BYTE.test(line) || line.includes('\r')) return;
    if (this.#kept + line.length > MAX_HEAD_BYTES) return;
    this.#kept += line.length;
    this.fields.add(name.toLowerCase(), decodeHeaderValue(trimOws(line, colon + 1)));
  }
}

/** Fails fast on bytes that cannot start a response, instead of waiting for a head terminator. */
function checkPrefix(chunk: Buffer, offset: number, already: number): void {
  for (let k = 0; already + k < HTTP_PREFIX.length && offset + k < chunk.length; k += 1) {
    if (chunk[offset + k] !== HTTP_PREFIX[already + k]) {
      const shown = JSON.stringify(chunk.toString('latin1', offset, Math.min(chunk.length, offset + 32)));
      throw new MalformedResponseError(`expected a status line, got ${shown}`);
    }
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Strips optional whitespace (space, tab) around a field value; nothing else counts as whitespace. */
function trimOws(line: string, from: number): string {
  let start = from;
  let end = line.length;
  while (start < end && isOws(line.charCodeAt(start))) start += 1;
  while (end > start && isOws(line.charCodeAt(end - 1))) end -= 1;
  return line.slice(start, end);
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Accepts repeated identical values (`5, 5`), as RFC 9112 allows; anything else is malformed. */
function parseContentLength(value: string): number {
  if (DIGITS.test(value)) return Number(value);
  const values = value.split(',').map((part) => part.trim());
  const first = values[0] as string;
  if (DIGITS.test(first) && values.every((part) => part === first)) return Number(first);
  throw new MalformedResponseError(`invalid Content-Length ${JSON.stringify(value)}`);
}
