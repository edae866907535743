export { MalformedResponseError } from './malformed-response-error.js';
export { SocketTransport, type SocketTransportOptions } from './socket-transport.js';
