import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import {
  decodeHeaderValue,
  type PartialResponse,
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
  /** `false` never sends a request again after a reused socket died unanswered (broken on purpose). */
  readonly resendOnStaleSocket?: boolean;
}

/** A failure of one try, with what is needed to decide on sending it again. */
class AttemptError extends Error {
  constructor(
    readonly transportError: TransportError,
    readonly resendable: boolean,
  ) {
    super(transportError.message);
  }
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
  readonly #resendOnStaleSocket: boolean;

  constructor(options: NodeHttpTransportOptions) {
    const url = new URL(options.origin);
    this.#hostname = url.hostname;
    this.#port = Number(url.port);
    this.#agent = options.agent ?? new Agent({ keepAlive: true, maxSockets: 1 });
    this.#timeoutMs = options.timeoutMs;
    this.#resendOnStaleSocket = options.resendOnStaleSocket ?? true;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    try {
      return await this.#attempt(request);
    } catch (error) {
      if (!(error instanceof AttemptError)) throw error;
      if (!error.resendable || !this.#resendOnStaleSocket) throw error.transportError;
      try {
        return await this.#attempt(request);
      } catch (retryError) {
        throw retryError instanceof AttemptError ? retryError.transportError : retryError;
      }
    }
  }

  #attempt(request: TransportRequest): Promise<TransportResponse> {
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    return new Promise((resolve, reject) => {
      let socket: Socket | undefined;
      let bytesBefore = 0;
      let partial: PartialResponse | undefined;
      const fail = (error: Error & { code?: string }) => {
        const answered = partial !== undefined || (socket !== undefined && socket.bytesRead > bytesBefore);
        const transportError = new TransportError(
          `${request.method} ${request.path} failed: ${error.message}`,
          {
            cause: error,
            code: error.code ?? 'ERR_UNKNOWN',
            ...(answered
              ? { response: partial ?? { status: undefined, headComplete: false, headers: {} } }
              : {}),
          },
        );
        reject(new AttemptError(transportError, outgoing.reusedSocket && !answered));
      };
      const outgoing = httpRequest(
        {
          agent: this.#agent,
          hostname: this.#hostname,
          port: this.#port,
          method: request.method,
          path: request.path,
          headers: request.headers,
          maxHeaderSize: 256 * 1024,
          ...(this.#timeoutMs === undefined ? {} : { timeout: this.#timeoutMs }),
        },
        (incoming) => {
          const headers: Record<string, string> = {};
          const repeated: Record<string, string[]> = {};
          const raw = incoming.rawHeaders;
          for (let i = 0; i + 1 < raw.length; i += 2) {
            const name = (raw[i] as string).toLowerCase();
            const value = decodeHeaderValue(raw[i + 1] as string);
            if (name in headers) {
              repeated[name] = [...(repeated[name] ?? [headers[name] as string]), value];
              headers[name] = `${headers[name]}, ${value}`;
            } else headers[name] = value;
          }
          const hasRepeats = Object.keys(repeated).length > 0;
          partial = { status: incoming.statusCode, headComplete: true, headers };
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', fail);
          incoming.on('aborted', () =>
            fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })),
          );
          incoming.on('end', () => {
            resolve({
              status: incoming.statusCode ?? 0,
              headers,
              ...(hasRepeats ? { repeated } : {}),
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      outgoing.once('socket', (assigned: Socket) => {
        socket = assigned;
        bytesBefore = assigned.bytesRead;
      });
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
