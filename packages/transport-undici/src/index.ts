export { UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
