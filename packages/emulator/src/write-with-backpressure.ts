import type { ServerResponse } from 'node:http';

/**
 * Writes `bytes` to a caller's response and resolves once more may be written: at once when the
 * socket took them, else on `drain`, or when the caller has gone away (the bytes are then dropped,
 * and so are later ones: the function goes on as on Lambda, where a caller that hangs up does not
 * stop the invocation).
 */
export function writeWithBackpressure(response: ServerResponse, bytes: Uint8Array): Promise<void> {
  if (response.destroyed || response.writableEnded) return Promise.resolve();
  if (response.write(bytes)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
