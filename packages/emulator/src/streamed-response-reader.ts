import type { ReadRequestBody } from './request-body.js';
import type { RuntimeExchange } from './runtime-exchange.js';
import type { StreamedResponseTarget } from './streamed-response-target.js';

/** A streamed `/response` body as read: {@link ReadRequestBody} plus the limit that applied. */
export interface StreamedResponseRead extends ReadRequestBody {
  /** Bytes allowed: the streamed limit for a streaming caller, the buffered one otherwise. */
  readonly limit: number;
}

/**
 * Reads a streamed (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked) `/response` body
 * as it arrives (docs/runtime-api.md §7.2). With a `target` (a caller that streams) every chunk is
 * passed on at once and nothing is kept; the upload pauses while the target is busy. Without one
 * the body is kept, as Lambda buffers a stream for a buffered caller. Past `limit` bytes the reading
 * stops: nothing more is passed on or kept, and once the exchange is answered its connection is
 * cut. Trailers and a broken-off upload are reported as by {@link readRequestBody}.
 *
 * @example
 * ```ts
 * const read = await readStreamedResponse(exchange, targets.get(requestId), 200 * 1024 * 1024);
 * if (read.overLimit) exchange.sendError(413, 'RequestEntityTooLarge', '...');
 * ```
 */
export function readStreamedResponse(
  exchange: RuntimeExchange,
  target: StreamedResponseTarget | undefined,
  limit: number,
): Promise<StreamedResponseRead> {
  const { request, record } = exchange;
  const arrivals: { at: number; bytes: number }[] = [];
  record.bodyChunks = arrivals;
  target?.begin(record.headers['content-type']);
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (outcome: { aborted: boolean; overLimit: boolean }): void => {
      if (done) return;
      done = true;
      request.off('data', onData);
      const trailers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.trailers ?? {})) {
        if (value !== undefined) trailers[name.toLowerCase()] = value;
      }
      const body = Buffer.concat(kept);
      record.body = body;
      record.bodyLength = length;
      record.trailers = trailers;
      record.aborted = outcome.aborted;
      resolve({ body, length, trailers, limit, ...outcome });
    };
    const pass = (bytes: Buffer): void => {
      if (bytes.length === 0) return;
      if (target === undefined) {
        kept.push(bytes);
        return;
      }
      request.pause();
      target.write(bytes).then(
        () => request.resume(),
        () => request.resume(),
      );
    };
    const onData = (chunk: Buffer): void => {
      arrivals.push({ at: Date.now(), bytes: chunk.length });
      const room = limit - length;
      length += chunk.length;
      record.bodyLength = length;
      if (chunk.length <= room) {
        pass(chunk);
        return;
      }
      pass(chunk.subarray(0, room));
      request.pause();
      // The stream is cut: whatever the exchange answers is the last thing on this connection.
      exchange.response.once('finish', () => request.socket.destroy());
      exchange.response.once('close', () => request.socket.destroy());
      finish({ aborted: false, overLimit: true });
    };
    request.on('data', onData);
    request.on('end', () => finish({ aborted: false, overLimit: false }));
    request.on('error', () => finish({ aborted: true, overLimit: false }));
    request.on('close', () => finish({ aborted: !request.complete, overLimit: false }));
  });
}
