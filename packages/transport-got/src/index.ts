export { GotTransport, type GotTransportOptions } from './got-transport.js';
