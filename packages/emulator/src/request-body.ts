import type { IncomingMessage } from 'node:http';

/** A request body read with a size limit. */
export interface ReadRequestBody {
  /** The bytes kept: all of them, or the first `limit` bytes once the limit was passed. */
  readonly body: Buffer;
  /** Bytes received in total. */
  readonly length: number;
  readonly overLimit: boolean;
  /** The client broke the request off before the end. */
  readonly aborted: boolean;
  /** Trailers, lower-case names (chunked requests only). */
  readonly trailers: Record<string, string>;
}

/**
 * Reads a request body, counting bytes as they come and buffering no more than `limit` of them:
 * the rest is drained and dropped, so the client can finish sending and read the 413 the caller
 * will answer with (answering mid-upload makes many clients report a reset instead).
 */
export function readRequestBody(
  request: IncomingMessage,
  limit: number,
  onChunk?: (bytes: number) => void,
): Promise<ReadRequestBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let length = 0;
    let done = false;
    const finish = (aborted: boolean): void => {
      if (done) return;
      done = true;
      const trailers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.trailers ?? {})) {
        if (value !== undefined) trailers[name.toLowerCase()] = value;
      }
      resolve({ body: Buffer.concat(chunks, kept), length, overLimit: length > limit, aborted, trailers });
    };
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      onChunk?.(chunk.length);
      if (kept < limit) {
        const slice = kept + chunk.length > limit ? chunk.subarray(0, limit - kept) : chunk;
        chunks.push(slice);
        kept += slice.length;
      }
    });
    request.on('end', () => finish(false));
    request.on('error', () => finish(true));
    request.on('close', () => finish(!request.complete));
  });
}
