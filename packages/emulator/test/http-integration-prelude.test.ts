import { describe, expect, it } from 'vitest';
import { HttpIntegrationPreludeParser, MAX_PRELUDE_BYTES } from '../src/http-integration-prelude.js';

const NULS = Buffer.alloc(8);

describe('HttpIntegrationPreludeParser', () => {
  it('finds the delimiter when its NUL bytes arrive split over two chunks', () => {
    const parser = new HttpIntegrationPreludeParser();
    const prelude = Buffer.from('{"statusCode":418,"cookies":["c=1"]}');

    const first = parser.push(Buffer.concat([prelude, NULS.subarray(0, 3)]));
    const second = parser.push(Buffer.concat([NULS.subarray(3), Buffer.from('tea')]));

    expect(first).toEqual({ kind: 'waiting' });
    expect(second).toEqual({
      kind: 'prelude',
      prelude: { statusCode: 418, headers: {}, cookies: ['c=1'] },
      rest: Buffer.from('tea'),
    });
  });

  it('defaults the status to 200 when the prelude names none', () => {
    const parser = new HttpIntegrationPreludeParser();

    const parsed = parser.push(Buffer.concat([Buffer.from('{"headers":{"X-A":1}}'), NULS]));

    expect(parsed).toMatchObject({ kind: 'prelude', prelude: { statusCode: 200, headers: { 'X-A': '1' } } });
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[1]', /not a JSON object/],
    ['a bad status', '{"statusCode":99}', /not an HTTP status/],
    ['an object header value', '{"headers":{"a":{}}}', /headers/],
    ['a cookie that is no string', '{"cookies":[1]}', /cookies/],
  ])('answers invalid, with the bytes held, when the prelude is %s', (_case, text, reason) => {
    const parser = new HttpIntegrationPreludeParser();
    const bytes = Buffer.concat([Buffer.from(text), NULS, Buffer.from('x')]);

    const parsed = parser.push(bytes);

    expect(parsed).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(reason), bytes });
  });

  it('gives up when no delimiter comes within the first 16 KiB', () => {
    const parser = new HttpIntegrationPreludeParser();

    const early = parser.push(Buffer.alloc(MAX_PRELUDE_BYTES, 0x61));
    const late = parser.push(Buffer.alloc(64, 0x61));

    expect(early).toEqual({ kind: 'waiting' });
    expect(late).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/no prelude delimiter/) });
  });
});
