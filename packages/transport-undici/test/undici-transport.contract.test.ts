import { describeTransportContract } from '@lambda-runtime/transport-contract';
import { describe } from 'vitest';
import { UndiciTransport } from '../src/undici-transport.js';

// undici 7 cannot send request trailers (its chunked writer ends every body with a bare
// `0\r\n\r\n`), so UndiciTransport has no openStream and the runtime says so when it starts.
describe('item 39: UndiciTransport declares streaming unsupported, checked by the transport contract', () => {
  describeTransportContract('UndiciTransport', (origin) => new UndiciTransport({ origin }), {
    streaming: false,
  });
});
