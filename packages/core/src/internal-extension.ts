import type { ClientRequest, IncomingMessage } from 'node:http';
import { type Logger, RuntimeApiError } from '@lambda-runtime/api';

/** The Extensions API prefix (§2.2). */
const EXTENSION_API = '/2020-01-01/extension';
const SERVER_ERROR = 500;

/** An internal extension registered from the runtime process, parked in `event/next`. */
export interface InternalExtension {
  /** `Lambda-Extension-Identifier` the Extensions API gave it. */
  readonly id: string;
  /** Abandons the parked `event/next`. */
  close(): void;
}

/**
 * Registers an internal extension with no events and parks one `event/next`, so the platform
 * sends `SIGTERM` (with a short grace) before it stops the environment, instead of `SIGKILL` alone.
 * It must happen before the first `/runtime/invocation/next` for Init to complete.
 *
 * Uses `node:http` on its own connection, not the runtime's transport: the parked poll must not
 * occupy the transport's single connection, and its socket is unref'd so that it never keeps the
 * process alive (the loop detects an empty event loop for callback-style handlers).
 *
 * A 5xx is fatal (throws {@link RuntimeApiError}); any other failure is logged and the runtime
 * goes on without `SIGTERM` (resolves `undefined`).
 *
 * @example
 * ```ts
 * const extension = await registerInternalExtension('127.0.0.1:9001', 'lambda-runtime', logger);
 * ```
 */
export async function registerInternalExtension(
  runtimeApi: string,
  name: string,
  logger: Logger,
  userAgent: string,
): Promise<InternalExtension | undefined> {
  // Loaded only when wanted: node:http costs start-up time the default loop does not need.
  const http = await import('node:http');
  const [host, port] = splitHostPort(runtimeApi);
  // One kept-alive connection for both calls: once /register is answered it is open, so the parked
  // event/next is written at once, before the runtime's first /next on the other connection.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const base = { host, port, agent };

  let registered: { status: number; id: string | undefined; body: string };
  try {
    registered = await new Promise((resolve, reject) => {
      const body = JSON.stringify({ events: [] });
      const request = http.request(
        {
          ...base,
          method: 'POST',
          path: `${EXTENSION_API}/register`,
          headers: {
            'Lambda-Extension-Name': name,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': userAgent,
          },
        },
        (response) => {
          readBody(response).then(
            (text) =>
              resolve({
                status: response.statusCode ?? 0,
                id: headerValue(response, 'lambda-extension-identifier'),
                body: text,
              }),
            reject,
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  } catch (error) {
    logger.warn(
      { errorMessage: (error as Error).message },
      'Could not register the internal extension; SIGTERM will not be delivered',
    );
    agent.destroy();
    return undefined;
  }
  if (registered.status >= SERVER_ERROR) {
    agent.destroy();
    throw new RuntimeApiError(`POST ${EXTENSION_API}/register answered ${registered.status}`, {
      status: registered.status,
    });
  }
  if (registered.status !== 200 || registered.id === undefined) {
    logger.warn(
      { status: registered.status, body: registered.body.slice(0, 200) },
      `The Extensions API refused the internal extension (${registered.status}); SIGTERM will not be delivered`,
    );
    agent.destroy();
    return undefined;
  }

  const id = registered.id;
  const poll = await park(http.request, base, id, userAgent, logger);
  return {
    id,
    close: () => {
      poll.destroy();
      agent.destroy();
    },
  };
}

function park(
  request: typeof import('node:http').request,
  base: { host: string; port: number; agent: import('node:http').Agent },
  id: string,
  userAgent: string,
  logger: Logger,
): Promise<ClientRequest> {
  return new Promise((resolve) => {
    const poll = request(
      {
        ...base,
        method: 'GET',
        path: `${EXTENSION_API}/event/next`,
        headers: { 'Lambda-Extension-Identifier': id, 'User-Agent': userAgent },
      },
      (response) => {
        // With no events subscribed nothing should ever arrive; note it rather than poll again.
        readBody(response).then(
          () => logger.debug({ status: response.statusCode }, 'The internal extension event/next answered'),
          () => undefined,
        );
      },
    );
    poll.on('socket', (socket) => socket.unref());
    poll.on('error', (error) => {
      logger.debug({ errorMessage: error.message }, 'The internal extension event/next ended');
    });
    // Sent (not answered: it stays parked) before the runtime goes on to its first /next.
    poll.end(() => resolve(poll));
  });
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function headerValue(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function splitHostPort(runtimeApi: string): [string, number] {
  const colon = runtimeApi.lastIndexOf(':');
  const host = runtimeApi.slice(0, colon).replace(/^\[|\]$/g, '');
  return [host, Number(runtimeApi.slice(colon + 1))];
}
