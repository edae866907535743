export { GotRequestStream } from './got-request-stream.js';
export { GotTransport, type GotTransportOptions } from './got-transport.js';
