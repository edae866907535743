export { MalformedResponseError } from './malformed-response-error.js';
export { SocketRequestStream, type SocketRequestStreamTarget } from './socket-request-stream.js';
export { SocketTransport, type SocketTransportOptions } from './socket-transport.js';
