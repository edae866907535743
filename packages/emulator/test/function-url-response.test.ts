import { describe, expect, it } from 'vitest';
import { functionUrlResponse } from '../src/function-url-response.js';

describe('functionUrlResponse', () => {
  it('drops the framing headers the function set when it answers with statusCode', () => {
    const answer = functionUrlResponse(
      Buffer.from(
        JSON.stringify({
          statusCode: 200,
          headers: {
            'Content-Length': '999',
            'Transfer-Encoding': 'chunked',
            Connection: 'close',
            'X-Ok': true,
          },
          body: 'hi',
        }),
      ),
    );

    expect(answer?.headers).toEqual({ 'X-Ok': 'true', 'content-type': 'application/json' });
  });

  it('answers an empty body when the structured answer has none', () => {
    const answer = functionUrlResponse(Buffer.from('{"statusCode":204,"body":null}'));

    expect(answer).toMatchObject({ statusCode: 204, body: Buffer.alloc(0) });
  });

  it('serializes a body that is not a string as JSON', () => {
    const answer = functionUrlResponse(Buffer.from('{"statusCode":200,"body":{"a":1}}'));

    expect(answer?.body.toString()).toBe('{"a":1}');
  });

  it.each([
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
  ])('answers 200 application/json with the JSON text when the function returns %s', (_case, text) => {
    const answer = functionUrlResponse(Buffer.from(text));

    expect(answer).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(text),
    });
  });

  it.each([
    ['a status that is no integer', '{"statusCode":200.5}'],
    ['a status out of range', '{"statusCode":600}'],
    ['headers that are no map', '{"statusCode":200,"headers":[]}'],
    ['cookies that are no list', '{"statusCode":200,"cookies":"a=1"}'],
  ])('answers undefined (a 502) when the answer has %s', (_case, text) => {
    expect(functionUrlResponse(Buffer.from(text))).toBeUndefined();
  });
});
