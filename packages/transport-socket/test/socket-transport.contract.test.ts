import { describeTransportContract } from '@lambda-runtime/transport-contract';
import { SocketTransport } from '../src/socket-transport.js';

describeTransportContract('SocketTransport', (origin) => new SocketTransport({ origin }));
