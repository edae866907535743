import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@lambda-runtime/api';
import type { RequestLog, RuntimeEndpoint } from './request-log.js';
import { RuntimeExchange } from './runtime-exchange.js';

/** A recorded endpoint of the Runtime or Extensions API: one method on one path. */
export interface EmulatorRoute {
  readonly method: string;
  /** An exact path, or a pattern whose capture groups are handed to {@link handle}. */
  readonly path: string | RegExp;
  /** How requests to this path are recorded, whatever their method. */
  readonly endpoint: RuntimeEndpoint;
  handle(exchange: RuntimeExchange, params: readonly string[]): Promise<void>;
}

/** The caller side of the emulator (an invoke endpoint): its requests are not recorded. */
export type FrontDoorHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface EmulatorRouterOptions {
  readonly log: RequestLog;
  readonly logger: Logger;
  /** Matched in order; the first route whose path matches names the request's endpoint. */
  readonly routes: readonly EmulatorRoute[];
  /** Front doors by exact path. */
  readonly frontDoors: ReadonlyMap<string, FrontDoorHandler>;
}

/**
 * Dispatches each request: a front-door path to its handler, anything else to the matching route
 * after recording it in the request log (with its connection); a known path with another method
 * gets 405, an unknown path 404. A handler that throws gets a 500.
 */
export class EmulatorRouter {
  readonly #options: EmulatorRouterOptions;
  readonly #connectionIds = new WeakMap<Socket, number>();
  #nextConnectionId = 1;

  constructor(options: EmulatorRouterOptions) {
    this.#options = options;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '/';
    const path = target.split('?', 1)[0] ?? target;
    const frontDoor = this.#options.frontDoors.get(path);
    if (frontDoor !== undefined) {
      frontDoor(request, response).catch((error: unknown) => this.#internalError(response, error));
      return;
    }
    const matches = this.#options.routes.flatMap((route) => {
      const params = matchPath(route.path, path);
      return params === undefined ? [] : [{ route, params }];
    });
    const record = this.#options.log.add({
      method: request.method ?? 'GET',
      path: target,
      endpoint: matches[0]?.route.endpoint ?? 'unknown',
      headers: flattenHeaders(request.headers),
      connectionId: this.#connectionId(request.socket),
    });
    const exchange = new RuntimeExchange(record, request, response, this.#options.log, this.#options.logger);
    const match = matches.find(({ route }) => route.method === record.method);
    const handled =
      match === undefined ? this.#refuse(exchange, path) : match.route.handle(exchange, match.params);
    handled.catch((error: unknown) => {
      this.#internalError(response, error);
      exchange.finish(response.headersSent ? response.statusCode : undefined);
    });
  }

  async #refuse(exchange: RuntimeExchange, path: string): Promise<void> {
    if ((await exchange.receive(0)) === undefined) return;
    const method = exchange.record.method;
    if (exchange.record.endpoint !== 'unknown') {
      return exchange.sendError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}`);
    }
    exchange.sendError(404, 'NotFound', `No such endpoint: ${method} ${path}`);
  }

  #internalError(response: ServerResponse, error: unknown): void {
    this.#options.logger.error({ err: error }, 'emulator failed to handle a request');
    if (response.destroyed || response.headersSent) return;
    const body = JSON.stringify({ errorType: 'InternalServerError', errorMessage: 'The emulator failed' });
    response.writeHead(500, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  }

  #connectionId(socket: Socket): number {
    let id = this.#connectionIds.get(socket);
    if (id === undefined) {
      id = this.#nextConnectionId;
      this.#nextConnectionId += 1;
      this.#connectionIds.set(socket, id);
    }
    return id;
  }
}

/** The capture groups when `path` matches (none for an exact path), else `undefined`. */
function matchPath(pattern: string | RegExp, path: string): readonly string[] | undefined {
  if (typeof pattern === 'string') return pattern === path ? [] : undefined;
  const match = pattern.exec(path);
  return match === null ? undefined : match.slice(1).map((group) => group ?? '');
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
