import { describeTransportContract } from '@lambda-runtime/transport-contract';
import { UndiciTransport } from '../src/undici-transport.js';

describeTransportContract('UndiciTransport', (origin) => new UndiciTransport({ origin }));
