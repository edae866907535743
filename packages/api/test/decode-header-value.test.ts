import { describe, expect, it } from 'vitest';
import { decodeHeaderValue } from '../src/decode-header-value.js';

const asRead = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('decodeHeaderValue', () => {
  it('decodes the bytes as UTF-8 when a value read as Latin-1 holds valid UTF-8', () => {
    expect(decodeHeaderValue(asRead('José 🚀'))).toBe('José 🚀');
    expect(decodeHeaderValue(asRead('{"locale":"日本"}'))).toBe('{"locale":"日本"}');
  });

  it('keeps the value as read when its bytes are not valid UTF-8, so they can be recovered', () => {
    const latin1 = 'Jos\u00e9';

    const decoded = decodeHeaderValue(latin1);

    expect(decoded).toBe('José');
    expect([...Buffer.from(decoded, 'latin1')]).toEqual([0x4a, 0x6f, 0x73, 0xe9]);
  });

  it('returns ASCII and already-decoded values unchanged', () => {
    expect(decodeHeaderValue('8476a536-e9f4-11e8-9739-2dfe598c3fcd')).toBe(
      '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    );
    expect(decodeHeaderValue('déjà 🚀')).toBe('déjà 🚀');
    expect(decodeHeaderValue('')).toBe('');
  });
});
