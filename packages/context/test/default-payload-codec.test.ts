import { MalformedEventError, SerializationError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { DefaultPayloadCodec } from '../src/default-payload-codec.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodeError(body: Uint8Array, contentType = 'application/json'): MalformedEventError {
  try {
    new DefaultPayloadCodec().decode(body, contentType);
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('decode did not throw');
}

function encodeError(result: unknown): SerializationError {
  try {
    new DefaultPayloadCodec().encode(result);
  } catch (error) {
    if (error instanceof SerializationError) return error;
    throw error;
  }
  throw new Error('encode did not throw');
}

describe('DefaultPayloadCodec', () => {
  describe('decode', () => {
    it.each([
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      '  application/json  ;charset=UTF-8',
      'application/cloudevents+json',
      'application/vnd.api+JSON; charset=utf-8',
      '',
    ])('item 9: parses the body as JSON when the content type is %j', (contentType) => {
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(utf8('{"order":{"id":7,"name":"ünïcødé ✓"}}'), contentType);

      expect(event).toEqual({ order: { id: 7, name: 'ünïcødé ✓' } });
    });

    it('parses JSON scalars when the body is one', () => {
      const codec = new DefaultPayloadCodec();

      const values = ['"text"', '42', 'null', 'true', '[1,2]'].map((body) => codec.decode(utf8(body), ''));

      expect(values).toEqual(['text', 42, null, true, [1, 2]]);
    });

    it('returns undefined when a JSON body is empty', () => {
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(new Uint8Array(), 'application/json');

      expect(event).toBeUndefined();
    });

    it('ignores a UTF-8 byte-order mark when the JSON body starts with one', () => {
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(utf8('\uFEFF{"a":1}'), 'application/json');

      expect(event).toEqual({ a: 1 });
    });

    it('decodes only the view when the body is a slice of a larger buffer', () => {
      const whole = utf8('xx{"a":1}yy');
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(whole.subarray(2, 9), 'application/json');

      expect(event).toEqual({ a: 1 });
    });

    it('item 13: throws MalformedEventError saying the event is not valid JSON when the body is invalid', () => {
      const error = decodeError(utf8('{"order": '));

      expect(error.errorType).toBe('Runtime.MalformedEvent');
      expect(error.message).toMatch(/^The event is not valid JSON: /);
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(error.message).toContain((error.cause as SyntaxError).message);
    });

    it('item 13: keeps the message short when an invalid body is large', () => {
      const error = decodeError(utf8(`{"secret":"${'s'.repeat(100_000)}"`));

      expect(error.message.length).toBeLessThanOrEqual('The event is not valid JSON: '.length + 101);
      expect(error.message).not.toContain('s'.repeat(101));
    });

    it.each(['text/plain', 'text/csv; charset=utf-8', 'TEXT/HTML'])(
      'returns the UTF-8 text when the content type is %j',
      (contentType) => {
        const codec = new DefaultPayloadCodec();

        const event = codec.decode(utf8('a,b\nünï,✓'), contentType);

        expect(event).toBe('a,b\nünï,✓');
      },
    );

    it('returns the text unparsed when a text body looks like JSON', () => {
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(utf8('{"a":1}'), 'text/plain');

      expect(event).toBe('{"a":1}');
    });

    it.each(['application/octet-stream', 'image/png', 'application/x-protobuf', 'application/jsonl'])(
      'returns a Buffer over the same bytes when the content type is %j',
      (contentType) => {
        const whole = new Uint8Array([9, 0, 255, 1, 2, 9]);
        const body = whole.subarray(1, 5);
        const codec = new DefaultPayloadCodec();

        const event = codec.decode(body, contentType);

        expect(Buffer.isBuffer(event)).toBe(true);
        expect([...(event as Buffer)]).toEqual([0, 255, 1, 2]);
        expect((event as Buffer).buffer).toBe(whole.buffer);
        expect((event as Buffer).byteOffset).toBe(1);
      },
    );

    it('returns the same Buffer when a binary body already is one', () => {
      const body = Buffer.from([1, 2, 3]);
      const codec = new DefaultPayloadCodec();

      const event = codec.decode(body, 'application/octet-stream');

      expect(event).toBe(body);
    });
  });

  describe('encode', () => {
    it('item 18: encodes undefined as null when the handler returns nothing', () => {
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode(undefined);

      expect(payload).toEqual({ body: 'null', contentType: 'application/json' });
    });

    it('item 20: encodes null as JSON null', () => {
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode(null);

      expect(payload).toEqual({ body: 'null', contentType: 'application/json' });
    });

    it('item 20: encodes an object as JSON with application/json', () => {
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode({ statusCode: 200, body: 'ok', list: [1, 'ü'] });

      expect(payload).toEqual({
        body: '{"statusCode":200,"body":"ok","list":[1,"ü"]}',
        contentType: 'application/json',
      });
    });

    it('item 20: encodes a string as a JSON string like the managed runtime', () => {
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode('he said "hi"');

      expect(payload).toEqual({ body: '"he said \\"hi\\""', contentType: 'application/json' });
    });

    it("item 20: sends a string as-is with text/plain when configured with strings: 'as-is'", () => {
      const codec = new DefaultPayloadCodec({ strings: 'as-is' });

      expect(codec.encode('he said "hi" ☃')).toEqual({
        body: 'he said "hi" ☃',
        contentType: 'text/plain; charset=utf-8',
      });
      // Only strings change: other results stay JSON.
      expect(codec.encode({ a: 'b' })).toEqual({ body: '{"a":"b"}', contentType: 'application/json' });
    });

    it('item 20: sends a Buffer as-is with application/octet-stream', () => {
      const result = Buffer.from([0, 1, 255]);
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode(result);

      expect(payload.body).toBe(result);
      expect(payload.contentType).toBe('application/octet-stream');
    });

    it('item 20: sends a Uint8Array as-is with application/octet-stream', () => {
      const result = new Uint8Array([7, 8]);
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode(result);

      expect(payload.body).toBe(result);
      expect(payload.contentType).toBe('application/octet-stream');
    });

    it.each([
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
    ])('encodes %s as null when JSON.stringify returns undefined', (_name, result) => {
      const codec = new DefaultPayloadCodec();

      const payload = codec.encode(result);

      expect(payload).toEqual({ body: 'null', contentType: 'application/json' });
    });

    it('item 28: throws SerializationError with the cause when the result is circular', () => {
      const result: Record<string, unknown> = { name: 'loop' };
      result.self = result;

      const error = encodeError(result);

      expect(error.errorType).toBe('Runtime.SerializationError');
      expect(error.message).toMatch(/^Unable to serialize the handler's result as JSON: .*circular/i);
      expect(error.cause).toBeInstanceOf(TypeError);
    });

    it('item 28: throws SerializationError with the cause when the result holds a BigInt', () => {
      const error = encodeError({ total: 10n });

      expect(error.message).toMatch(/BigInt/);
      expect(error.cause).toBeInstanceOf(TypeError);
    });

    it('item 28: throws SerializationError when toJSON throws a non-Error', () => {
      const error = encodeError({
        toJSON() {
          throw 'nope';
        },
      });

      expect(error.message).toBe("Unable to serialize the handler's result as JSON: nope");
      expect(error.cause).toBe('nope');
    });
  });
});
