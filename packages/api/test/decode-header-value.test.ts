import { describe, expect, it } from 'vitest';
import {
  decodeHeaderValue,
  encodeHeaderValueComponent,
  headerValueBytes,
} from '../src/decode-header-value.js';

const asRead = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('decodeHeaderValue', () => {
  it('decodes the bytes as UTF-8 when a value read as Latin-1 holds valid UTF-8', () => {
    expect(decodeHeaderValue(asRead('José 🚀'))).toBe('José 🚀');
    expect(decodeHeaderValue(asRead('{"locale":"日本"}'))).toBe('{"locale":"日本"}');
  });

  describe('encodeHeaderValueComponent', () => {
    it('percent-encodes text as encodeURIComponent does, and each escaped byte as that byte', () => {
      expect(encodeHeaderValueComponent('a%2Fb/c?d#e f')).toBe(encodeURIComponent('a%2Fb/c?d#e f'));
      expect(encodeHeaderValueComponent('ü-🂀')).toBe('%C3%BC-%F0%9F%82%80');
      expect(encodeHeaderValueComponent('\udcff/Jos\udce9')).toBe('%FF%2FJos%E9');
    });
  });

  it('escapes each byte that is not UTF-8 as a lone surrogate, decoding the rest, so the bytes can be recovered', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff]),
      Buffer.from('ü-🂀-'),
      Buffer.from([0xe9, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f]),
    ]);

    const decoded = decodeHeaderValue(bytes.toString('latin1'));

    expect(decoded).toBe('\udcffü-🂀-\udce9\udcc3(\udced\udca0\udc80\udcf0\udc9f');
    expect(headerValueBytes(decoded)).toEqual(bytes);
    expect(decodeHeaderValue(decoded)).toBe(decoded);
  });

  describe('encodeHeaderValueComponent', () => {
    it('percent-encodes text as encodeURIComponent does, and each escaped byte as that byte', () => {
      expect(encodeHeaderValueComponent('a%2Fb/c?d#e f')).toBe(encodeURIComponent('a%2Fb/c?d#e f'));
      expect(encodeHeaderValueComponent('ü-🂀')).toBe('%C3%BC-%F0%9F%82%80');
      expect(encodeHeaderValueComponent('\udcff/Jos\udce9')).toBe('%FF%2FJos%E9');
    });
  });

  it('tells a lone byte 0xE9 from the UTF-8 of é, which Latin-1 read the same way', () => {
    const utf8 = decodeHeaderValue(asRead('José'));
    const invalid = decodeHeaderValue('Jos\u00e9');

    expect(utf8).toBe('José');
    expect(invalid).toBe('Jos\udce9');
    expect([...headerValueBytes(invalid)]).toEqual([0x4a, 0x6f, 0x73, 0xe9]);
  });

  describe('encodeHeaderValueComponent', () => {
    it('percent-encodes text as encodeURIComponent does, and each escaped byte as that byte', () => {
      expect(encodeHeaderValueComponent('a%2Fb/c?d#e f')).toBe(encodeURIComponent('a%2Fb/c?d#e f'));
      expect(encodeHeaderValueComponent('ü-🂀')).toBe('%C3%BC-%F0%9F%82%80');
      expect(encodeHeaderValueComponent('\udcff/Jos\udce9')).toBe('%FF%2FJos%E9');
    });
  });

  it('returns ASCII and already-decoded values unchanged', () => {
    expect(decodeHeaderValue('8476a536-e9f4-11e8-9739-2dfe598c3fcd')).toBe(
      '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    );
    expect(decodeHeaderValue('déjà 🚀')).toBe('déjà 🚀');
    expect(decodeHeaderValue('')).toBe('');
  });

  describe('encodeHeaderValueComponent', () => {
    it('percent-encodes text as encodeURIComponent does, and each escaped byte as that byte', () => {
      expect(encodeHeaderValueComponent('a%2Fb/c?d#e f')).toBe(encodeURIComponent('a%2Fb/c?d#e f'));
      expect(encodeHeaderValueComponent('ü-🂀')).toBe('%C3%BC-%F0%9F%82%80');
      expect(encodeHeaderValueComponent('\udcff/Jos\udce9')).toBe('%FF%2FJos%E9');
    });
  });
});

describe('encodeHeaderValueComponent', () => {
  it('percent-encodes text as encodeURIComponent does, and each escaped byte as that byte', () => {
    expect(encodeHeaderValueComponent('a%2Fb/c?d#e f')).toBe(encodeURIComponent('a%2Fb/c?d#e f'));
    expect(encodeHeaderValueComponent('ü-🂀')).toBe('%C3%BC-%F0%9F%82%80');
    expect(encodeHeaderValueComponent('\udcff/Jos\udce9')).toBe('%FF%2FJos%E9');
  });
});
