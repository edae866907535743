import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Wraps a `node:http` request handler so that the requests of one connection are handled one after
 * another, each once the previous response has finished, as Lambda's Runtime API (a Go server)
 * does. Node itself dispatches pipelined requests at once, so without this a client that writes
 * `POST …/response` and `GET …/next` together would have its `/next` handled before its response.
 *
 * @example
 * ```ts
 * const server = createServer(serializePerConnection((request, response) => route(request, response)));
 * ```
 */
export function serializePerConnection(handler: RequestHandler): RequestHandler {
  const waiting = new WeakMap<Socket, Array<() => void>>();
  const run = (socket: Socket, request: IncomingMessage, response: ServerResponse): void => {
    const next = (): void => {
      response.off('finish', next);
      response.off('close', next);
      const queue = waiting.get(socket);
      const following = queue?.shift();
      if (following === undefined) waiting.delete(socket);
      else following();
    };
    response.on('finish', next);
    response.on('close', next);
    handler(request, response);
  };
  return (request, response) => {
    const socket = request.socket;
    const queue = waiting.get(socket);
    if (queue !== undefined) {
      queue.push(() => run(socket, request, response));
      return;
    }
    waiting.set(socket, []);
    run(socket, request, response);
  };
}
