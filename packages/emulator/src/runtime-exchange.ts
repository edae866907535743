import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@lambda-runtime/api';
import { type ReadRequestBody, readRequestBody } from './request-body.js';
import type { MutableRecordedRequest, RequestLog } from './request-log.js';

/**
 * One recorded request to the Runtime or Extensions API and its answer: what a route handler reads
 * and writes. Every way of ending the exchange (an answer, a reset, a client that went away)
 * completes its {@link RecordedRequest} and publishes it to the request log, so handlers never
 * touch the record's bookkeeping.
 */
export class RuntimeExchange {
  readonly record: MutableRecordedRequest;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly #log: RequestLog;
  readonly #logger: Logger;

  constructor(
    record: MutableRecordedRequest,
    request: IncomingMessage,
    response: ServerResponse,
    log: RequestLog,
    logger: Logger,
  ) {
    this.record = record;
    this.request = request;
    this.response = response;
    this.#log = log;
    this.#logger = logger;
  }

  /** A request header (lower-case name); repeated headers joined with `, `. */
  header(name: string): string | undefined {
    return this.record.headers[name];
  }

  /** True once nothing can be written any more: answered, or the client went away. */
  get gone(): boolean {
    return this.response.destroyed || this.response.writableEnded || this.request.socket.destroyed;
  }

  /** Reads the body into the record, noting each chunk's arrival to observe streaming. */
  readBody(limit: number): Promise<ReadRequestBody> {
    const record = this.record;
    const chunks: { at: number; bytes: number }[] = [];
    record.bodyChunks = chunks;
    return readRequestBody(this.request, limit, (bytes) => {
      chunks.push({ at: Date.now(), bytes });
      record.bodyLength += bytes;
    }).then((read) => {
      record.body = read.body;
      record.bodyLength = read.length;
      record.trailers = read.trailers;
      record.aborted = read.aborted;
      return read;
    });
  }

  /** {@link readBody}, or `undefined` (the exchange ended) when the client broke the request off. */
  async receive(limit: number): Promise<ReadRequestBody | undefined> {
    const read = await this.readBody(limit);
    if (!read.aborted) return read;
    this.finish(undefined);
    return undefined;
  }

  send(status: number, body: Buffer, headers: Readonly<Record<string, string>>): void {
    if (!this.response.destroyed && !this.response.headersSent) {
      this.response.writeHead(status, { ...headers, 'content-length': String(body.length) });
      this.response.end(body);
      this.finish(status);
    } else {
      this.finish(undefined);
    }
  }

  sendJson(status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
    this.send(status, Buffer.from(JSON.stringify(value)), { 'content-type': 'application/json', ...headers });
  }

  /** 202 `{"status":"OK"}`, the Runtime API's acceptance of a post. */
  accept(): void {
    this.sendJson(202, { status: 'OK' });
  }

  /** A JSON `{errorType, errorMessage}` answer; logged as a protocol violation unless a 404. */
  sendError(status: number, errorType: string, errorMessage: string): void {
    if (status !== 404) this.#logger.warn({ path: this.record.path, status, errorType }, errorMessage);
    this.sendJson(status, { errorType, errorMessage });
  }

  /** Ends the connection with a TCP reset and no answer. */
  reset(): void {
    this.request.socket.resetAndDestroy();
    this.finish(undefined);
  }

  /** Lets waiters see the request while it stays open (a parked long poll). */
  publish(): void {
    this.#log.publish(this.record);
  }

  /** Completes the record: `status` answered, or `undefined` when nothing was (or could be) sent. */
  finish(status: number | undefined): void {
    this.record.status = status;
    this.record.answeredAt = Date.now();
    this.#log.publish(this.record);
  }
}
