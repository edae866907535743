import type { TransportResponse } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../src/malformed-response-error.js';
import { MAX_HEAD_BYTES, ResponseParser } from '../src/response-parser.js';

const text = (body: Uint8Array) => Buffer.from(body).toString('latin1');

/** Feeds `pieces` in order; returns the response and the parser (for keepAlive / trailing). */
function parse(...pieces: (string | Buffer)[]): {
  response: TransportResponse | undefined;
  parser: ResponseParser;
} {
  const parser = new ResponseParser();
  let response: TransportResponse | undefined;
  for (const piece of pieces) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece;
    const result = parser.execute(chunk);
    if (result !== undefined) {
      expect(response, 'only one response completes').toBeUndefined();
      response = result;
    }
  }
  return { response, parser };
}

/** Every way of cutting `bytes` in two, and the one-byte-at-a-time cut. */
function splits(bytes: string): string[][] {
  const cuts: string[][] = [];
  for (let at = 1; at < bytes.length; at += 1) cuts.push([bytes.slice(0, at), bytes.slice(at)]);
  cuts.push([...bytes]);
  return cuts;
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n' +
  '5\r\nhello\r\n1;name=value\r\n \r\nA \r\n0123456789\r\n0\r\nX-Trailer: ignored\r\nX-Other: too\r\n\r\n';

const HEADERS =
  'HTTP/1.1 202 Accepted\r\nLambda-Runtime-Aws-Request-Id: abc\r\nX-Repeated: one\r\n' +
  'x-repeated:  two \t\r\nX-Empty:\r\nContent-Length: 3\r\n\r\nabc';

describe('ResponseParser', () => {
  it('decodes a chunked body with extensions and ignores trailers when cut at every byte boundary', () => {
    for (const pieces of splits(CHUNKED)) {
      const { response, parser } = parse(...pieces);

      expect(response?.status).toBe(200);
      expect(text(response?.body ?? new Uint8Array())).toBe('hello 0123456789');
      expect(response?.headers['x-trailer']).toBeUndefined();
      expect(parser.keepAlive).toBe(true);
      expect(parser.trailing).toBe(0);
    }
  });

  it('parses headers lower-cased, trimmed and joined when the head is cut at every byte boundary', () => {
    for (const pieces of splits(HEADERS)) {
      const { response } = parse(...pieces);

      expect(response?.status).toBe(202);
      expect({ ...response?.headers }).toEqual({
        'lambda-runtime-aws-request-id': 'abc',
        'x-repeated': 'one, two',
        'x-empty': '',
        'content-length': '3',
      });
      expect(text(response?.body ?? new Uint8Array())).toBe('abc');
    }
  });

  it('returns a plain empty Uint8Array when the response has no body', () => {
    for (const head of [
      'HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n',
      'HTTP/1.1 304 Not Modified\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ]) {
      const { response } = parse(head);

      expect(response?.body).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(response?.body)).toBe(false);
      expect(response?.body.byteLength).toBe(0);
    }
  });

  it('skips interim 1xx responses when they precede the final one', () => {
    const { response } = parse(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );

    expect(response?.status).toBe(200);
    expect(response?.headers.link).toBeUndefined();
    expect(text(response?.body ?? new Uint8Array())).toBe('ok');
  });

  it('reads the body until the connection ends when the response has no length', () => {
    const parser = new ResponseParser();

    expect(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\npart one, '))).toBeUndefined();
    expect(parser.execute(Buffer.from('part two'))).toBeUndefined();
    const response = parser.finish();

    expect(text(response?.body ?? new Uint8Array())).toBe('part one, part two');
    expect(parser.keepAlive).toBe(false);
  });

  it('reports a cut-short response when the connection ends before the declared length', () => {
    const parser = new ResponseParser();

    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));

    expect(parser.finish()).toBeUndefined();
  });

  it('decides keep-alive from the version and Connection tokens', () => {
    const cases: [string, boolean][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', false],
    ];

    for (const [bytes, keepAlive] of cases) expect(parse(bytes).parser.keepAlive, bytes).toBe(keepAlive);
  });

  it('counts the bytes left over when more follows the complete response', () => {
    const { response, parser } = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE');

    expect(text(response?.body ?? new Uint8Array())).toBe('ok');
    expect(parser.trailing).toBe(7);
  });

  it('accepts repeated identical Content-Length values when a proxy duplicated the header', () => {
    const { response } = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok');

    expect(text(response?.body ?? new Uint8Array())).toBe('ok');
  });

  it('keeps a header named __proto__ as an ordinary header when the server sends one', () => {
    const { response } = parse(
      'HTTP/1.1 200 OK\r\n__proto__: x\r\nConstructor: y\r\nContent-Length: 0\r\n\r\n',
    );

    expect(Object.getOwnPropertyDescriptor(response?.headers, '__proto__')?.value).toBe('x');
    expect(response?.headers.constructor).toBe('y');
  });

  it('throws MalformedResponseError when the bytes are not a valid response', () => {
    const malformed = [
      'garbage\r\n\r\n',
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 20 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFF\r\n',
    ];

    for (const bytes of malformed) {
      expect(() => parse(bytes), JSON.stringify(bytes)).toThrow(MalformedResponseError);
    }
  });

  it('fails on the first bytes when they cannot start a status line', () => {
    const parser = new ResponseParser();

    expect(() => parser.execute(Buffer.from('<htm'))).toThrow(/expected a status line, got "<htm"/);
  });

  it('throws when the head grows past the limit without ending, after reading on for 64 times the limit', () => {
    const parser = new ResponseParser();
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n'));
    const line = Buffer.from(`X-Filler: ${'a'.repeat(1000)}\r\n`);
    let sent = 0;
    const feedUntilThrown = () => {
      for (; sent <= 65 * MAX_HEAD_BYTES; sent += line.length) parser.execute(line);
    };

    expect(feedUntilThrown).toThrow(/head too large \(and not ended\)/);
    expect(sent).toBeGreaterThan(64 * MAX_HEAD_BYTES - line.length);
  });

  it('reports the fields of a head over the limit, wherever they sit, when the head ends', () => {
    for (const pieces of [1, 7, 64 * 1024]) {
      const head = Buffer.from(
        'HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: before\r\n' +
          `Lambda-Runtime-Client-Context: ${'x'.repeat(MAX_HEAD_BYTES + 10)}\r\n` +
          `X-Utf8: ${Buffer.from('José 🚀').toString('latin1')}\r\nX-Twice: a\r\nX-Twice: b\r\n` +
          'Lambda-Runtime-Deadline-Ms: 1700000000000\r\nContent-Length: 2\r\n\r\n{}',
        'latin1',
      );
      const parser = new ResponseParser();
      let thrown: unknown;

      try {
        for (let at = 0; at < head.length; at += pieces) parser.execute(head.subarray(at, at + pieces));
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(MalformedResponseError);
      expect(String(thrown)).toMatch(/head too large/);
      expect(parser.partial()).toEqual({
        status: 200,
        headComplete: true,
        headers: {
          'lambda-runtime-aws-request-id': 'before',
          'x-utf8': 'José 🚀',
          'x-twice': 'a, b',
          'lambda-runtime-deadline-ms': '1700000000000',
          'content-length': '2',
        },
        repeated: { 'x-twice': ['a', 'b'] },
      });
    }
  });

  it('reports the fields of a malformed or cut-short head, and nothing before the first byte', () => {
    const parser = new ResponseParser();
    expect(parser.partial()).toBeUndefined();

    expect(() =>
      parser.execute(
        Buffer.from('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-1\r\nBad Line\r\n\r\n'),
      ),
    ).toThrow(MalformedResponseError);
    expect(parser.partial()).toMatchObject({
      status: 200,
      headers: { 'lambda-runtime-aws-request-id': 'id-1' },
    });

    parser.reset();
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-2\r\nX-Cut: hal'));
    expect(parser.partial()).toEqual({
      status: 200,
      headComplete: false,
      headers: { 'lambda-runtime-aws-request-id': 'id-2' },
    });

    parser.reset();
    parser.execute(
      Buffer.from('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-3\r\nContent-Length: 9\r\n\r\n{"a"'),
    );
    expect(parser.partial()).toMatchObject({ status: 200, headComplete: true });
    expect(parser.partial()?.headers['lambda-runtime-aws-request-id']).toBe('id-3');
  });

  it('decodes UTF-8 header values, escapes bytes that are not UTF-8 and lists repeated values', () => {
    const utf8 = Buffer.from('{"custom":{"name":"José 🚀"}}').toString('latin1');

    const { response } = parse(
      `HTTP/1.1 200 OK\r\nLambda-Runtime-Client-Context: ${utf8}\r\nX-Latin1: Jos\xe9\r\n` +
        'X-Dup: same\r\nX-Dup: same\r\nContent-Length: 0\r\n\r\n',
    );

    expect(response?.headers['lambda-runtime-client-context']).toBe('{"custom":{"name":"José 🚀"}}');
    expect(response?.headers['x-latin1']).toBe('Jos\udce9');
    expect(response?.headers['x-dup']).toBe('same, same');
    expect(response?.repeated).toEqual({ 'x-dup': ['same', 'same'] });
  });

  it('parses the next response after reset() when the parser is reused', () => {
    const parser = new ResponseParser();
    parser.execute(Buffer.from('HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx'));

    parser.reset();
    const response = parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny'));

    expect(response?.status).toBe(200);
    expect(parser.keepAlive).toBe(true);
    expect(text(response?.body ?? new Uint8Array())).toBe('y');
  });
});
