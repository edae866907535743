import { Agent, request as httpRequest } from 'node:http';
import {
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';

/** Options of the test-only {@link NodeHttpTransport}; the defaults make a conforming transport. */
export interface NodeHttpTransportOptions {
  readonly origin: string;
  /** Agent to use; default a keep-alive agent with one socket. */
  readonly agent?: Agent;
  /** Client-side socket timeout in ms (a deliberately broken setting for the tests). */
  readonly timeoutMs?: number;
}

/**
 * A minimal Transport on `node:http`, written only to prove the contract suite works with any
 * transport (and to break on purpose in the suite's own tests).
 */
export class NodeHttpTransport implements Transport {
  readonly #agent: Agent;
  readonly #hostname: string;
  readonly #port: number;
  readonly #timeoutMs: number | undefined;

  constructor(options: NodeHttpTransportOptions) {
    const url = new URL(options.origin);
    this.#hostname = url.hostname;
    this.#port = Number(url.port);
    this.#agent = options.agent ?? new Agent({ keepAlive: true, maxSockets: 1 });
    this.#timeoutMs = options.timeoutMs;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    return new Promise((resolve, reject) => {
      const fail = (error: Error & { code?: string }) =>
        reject(
          new TransportError(`${request.method} ${request.path} failed: ${error.message}`, {
            cause: error,
            code: error.code ?? 'ERR_UNKNOWN',
          }),
        );
      const outgoing = httpRequest(
        {
          agent: this.#agent,
          hostname: this.#hostname,
          port: this.#port,
          method: request.method,
          path: request.path,
          headers: request.headers,
          ...(this.#timeoutMs === undefined ? {} : { timeout: this.#timeoutMs }),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', fail);
          incoming.on('aborted', () =>
            fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })),
          );
          incoming.on('end', () => {
            const headers: Record<string, string> = {};
            const raw = incoming.rawHeaders;
            for (let i = 0; i + 1 < raw.length; i += 2) {
              const name = (raw[i] as string).toLowerCase();
              const value = raw[i + 1] as string;
              headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
            }
            resolve({ status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
          });
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT' })),
      );
      outgoing.on('error', fail);
      outgoing.end(body);
    });
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }
}
