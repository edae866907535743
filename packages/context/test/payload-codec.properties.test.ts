import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DefaultPayloadCodec } from '../src/default-payload-codec.js';

describe('DefaultPayloadCodec properties', () => {
  it('round-trips any JSON value through encode and decode', () => {
    const codec = new DefaultPayloadCodec();

    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { body, contentType } = codec.encode(value);
        const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;

        expect(codec.decode(bytes, contentType)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
