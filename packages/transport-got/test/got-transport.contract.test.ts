import { describeTransportContract } from '@lambda-runtime/transport-contract';
import { describe } from 'vitest';
import { GotTransport } from '../src/got-transport.js';

// The suite's streaming checks (openStream) cover these checklist items at transport level.
describe('items 32, 33, 34, 35, 36, 37, 39: GotTransport streams, checked by the transport contract', () => {
  describeTransportContract('GotTransport', (origin) => new GotTransport({ origin }));
});
