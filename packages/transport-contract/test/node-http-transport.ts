import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  decodeHeaderValue,
  type PartialResponse,
  type StreamingTransportRequest,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportRequestStream,
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

  /** A streamed request on `http.ClientRequest` (chunked by default, `addTrailers` before `end`), on a connection of its own. */
  openStream(request: StreamingTransportRequest): TransportRequestStream {
    const headers = Object.fromEntries(
      Object.entries(request.headers ?? {}).filter(
        ([name]) => !/^(content-length|transfer-encoding)$/i.test(name),
      ),
    );
    const outgoing = httpRequest({
      agent: false,
      hostname: this.#hostname,
      port: this.#port,
      method: request.method,
      path: request.path,
      headers,
    });
    const stream = new ClientRequestStream(request, outgoing);
    this.#streams.add(stream);
    stream.response.then(
      () => this.#streams.delete(stream),
      () => this.#streams.delete(stream),
    );
    return stream;
  }

  readonly #streams = new Set<ClientRequestStream>();

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.abort(new Error('the transport is closed'));
    this.#agent.destroy();
  }
}

/** {@link TransportRequestStream} over one `http.ClientRequest`. */
class ClientRequestStream implements TransportRequestStream {
  readonly response: Promise<TransportResponse>;
  #answer: TransportResponse | undefined;
  #failure: TransportError | undefined;
  #partial: PartialResponse | undefined;
  #resolve: (response: TransportResponse) => void = () => {};
  #reject: (error: TransportError) => void = () => {};
  readonly #waiters: { resolve: () => void; reject: (error: TransportError) => void }[] = [];

  constructor(
    readonly request: StreamingTransportRequest,
    readonly outgoing: ClientRequest,
  ) {
    this.response = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.response.catch(() => {});
    outgoing.on('response', (incoming: IncomingMessage) => this.#read(incoming));
    outgoing.on('error', (error) => this.#fail(error));
    outgoing.on('close', () =>
      this.#fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' })),
    );
    outgoing.on('drain', () => {
      for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    });
    outgoing.flushHeaders();
  }

  write(chunk: Uint8Array): Promise<void> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (chunk.byteLength === 0) return Promise.resolve();
    if (this.outgoing.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  end(trailers?: Readonly<Record<string, string>>): Promise<TransportResponse> {
    if (this.#answer === undefined && this.#failure === undefined && !this.outgoing.writableEnded) {
      try {
        if (trailers !== undefined) this.outgoing.addTrailers(trailers);
      } catch (error) {
        this.#fail(error as Error);
        return this.response;
      }
      this.outgoing.end();
    }
    return this.response;
  }

  abort(reason?: Error): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    this.#fail(
      Object.assign(new Error(reason?.message ?? 'aborted', { cause: reason }), {
        code: 'ERR_STREAM_ABORTED',
      }),
    );
  }

  #refusal(): TransportError | undefined {
    if (this.#failure !== undefined) return this.#failure;
    if (this.#answer === undefined) return undefined;
    return TransportError.wrap(
      this.request,
      Object.assign(new Error('answered before the body ended'), { code: 'ERR_STREAM_ANSWERED' }),
      { status: this.#answer.status, headComplete: true, headers: this.#answer.headers },
    );
  }

  #read(incoming: IncomingMessage): void {
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
      headers[(incoming.rawHeaders[i] as string).toLowerCase()] = decodeHeaderValue(
        incoming.rawHeaders[i + 1] as string,
      );
    }
    this.#partial = { status: incoming.statusCode, headComplete: true, headers };
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('error', (error) => this.#fail(error));
    incoming.on('end', () => {
      if (this.#failure !== undefined) return;
      this.#answer = { status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks) };
      this.#resolve(this.#answer);
      this.outgoing.destroy();
      const refusal = this.#refusal() as TransportError;
      for (const waiter of this.#waiters.splice(0)) waiter.reject(refusal);
    });
  }

  #fail(error: Error): void {
    if (this.#answer !== undefined || this.#failure !== undefined) return;
    this.#failure = TransportError.wrap(this.request, error, this.#partial);
    this.outgoing.destroy();
    this.#reject(this.#failure);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }
}
