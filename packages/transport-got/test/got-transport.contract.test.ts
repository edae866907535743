import { describeTransportContract } from '@lambda-runtime/transport-contract';
import { GotTransport } from '../src/got-transport.js';

describeTransportContract('GotTransport', (origin) => new GotTransport({ origin }), { streaming: false });
