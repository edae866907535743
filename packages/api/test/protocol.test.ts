import { describe, expect, it } from 'vitest';
import { RuntimeApiPath } from '../src/protocol.js';

describe('RuntimeApiPath', () => {
  it('item 1: prefixes every runtime path with /2018-06-01', () => {
    expect(RuntimeApiPath.next).toBe('/2018-06-01/runtime/invocation/next');
    expect(RuntimeApiPath.initError).toBe('/2018-06-01/runtime/init/error');
  });

  it('item 18: URL-encodes the request id in response and error paths', () => {
    const id = 'a/b c?d#e%f';

    expect(RuntimeApiPath.response(id)).toBe('/2018-06-01/runtime/invocation/a%2Fb%20c%3Fd%23e%25f/response');
    expect(RuntimeApiPath.error(id)).toBe('/2018-06-01/runtime/invocation/a%2Fb%20c%3Fd%23e%25f/error');
  });
});
