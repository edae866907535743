// A minimal Runtime API for the streaming benchmarks, on raw node:net so that it costs as little
// CPU as possible and sees each byte as it arrives:
// - a chunked POST (a streamed response) is read as fast as the socket delivers it, or, with a
//   rate, at most `rate` bytes per second (the socket is paused between reads: a slow reader);
//   once its `0\r\n\r\n` arrives it is answered 202 `{"status":"OK"}` and reported to `onStream`
//   with the monotonic time (process.hrtime.bigint(), one clock for every process) of its first
//   body byte and of its end;
// - GET /2018-06-01/runtime/invocation/next answers one event (the first `events` times), then
//   never answers (the runtime parks there);
// - any other request with a Content-Length is answered 202.
// Run as a child process (`node bench/streaming-server.mjs [rateBytesPerSecond]`), it sends
// `{ port }` and then one `{ stream }` message per streamed request over IPC.
import { createServer } from 'node:net';

const TERMINATOR = '\r\n0\r\n\r\n';
const ACCEPTED =
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}';

/**
 * @param {{ rate?: number, events?: number, event?: string,
 *   onStream?: (report: { path: string, startedAt: bigint, firstByteAt: bigint | undefined, endAt: bigint, wireBytes: number }) => void,
 *   onHead?: (head: { method: string, path: string }) => void }} options
 */
export async function startStreamingServer(options = {}) {
  const { rate = 0, events = 1, event = '{"bench":true}' } = options;
  let eventsSent = 0;
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    /** @type {undefined | { path: string, startedAt: bigint, firstByteAt: bigint | undefined, wireBytes: number, tail: string }} */
    let stream;
    let readSince = 0n;
    let readBytes = 0;

    const onBody = (data, now) => {
      if (stream.firstByteAt === undefined && data.length > 0) stream.firstByteAt = now;
      stream.wireBytes += data.length;
      stream.tail = (stream.tail + data.subarray(-TERMINATOR.length).toString('latin1')).slice(
        -TERMINATOR.length,
      );
      // The end of the body: `0\r\n\r\n` after the last chunk's CRLF (or alone: an empty stream).
      if (stream.tail.endsWith(TERMINATOR) || (stream.wireBytes === 5 && stream.tail === '0\r\n\r\n')) {
        const done = stream;
        stream = undefined;
        socket.write(ACCEPTED);
        options.onStream?.({ ...done, endAt: now });
      }
      if (rate > 0) {
        // A slow reader: pause until the budget of `rate` bytes per second has caught up.
        readBytes += data.length;
        const elapsedNs = Number(process.hrtime.bigint() - readSince);
        const aheadMs = (readBytes / rate) * 1000 - elapsedNs / 1e6;
        if (aheadMs > 1) {
          socket.pause();
          setTimeout(() => socket.resume(), aheadMs);
        }
      }
    };

    socket.on('data', (data) => {
      const now = process.hrtime.bigint();
      if (stream !== undefined) {
        onBody(data, now);
        return;
      }
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      for (;;) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const head = pending.toString('latin1', 0, headEnd);
        const [method = '', path = ''] = head.slice(0, head.indexOf('\r\n')).split(' ');
        const chunked = /\r\ntransfer-encoding:[ \t]*chunked/i.test(head);
        const length = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1] ?? 0);
        options.onHead?.({ method, path });
        if (chunked) {
          const rest = pending.subarray(headEnd + 4);
          pending = Buffer.alloc(0);
          stream = { path, startedAt: now, firstByteAt: undefined, wireBytes: 0, tail: '' };
          readSince = now;
          readBytes = 0;
          if (rest.length > 0) onBody(rest, now);
          return;
        }
        if (pending.length < headEnd + 4 + length) return;
        pending = pending.subarray(headEnd + 4 + length);
        if (method === 'GET' && path.endsWith('/invocation/next')) {
          if (eventsSent >= events) continue;
          eventsSent += 1;
          const body = Buffer.from(event);
          socket.write(
            'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n' +
              `Lambda-Runtime-Aws-Request-Id: bench-stream-${eventsSent}\r\n` +
              `Lambda-Runtime-Deadline-Ms: ${Date.now() + 15 * 60_000}\r\n` +
              'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n' +
              'Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1\r\n' +
              `Content-Length: ${body.length}\r\n\r\n`,
          );
          socket.write(body);
          continue;
        }
        socket.write(ACCEPTED);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: /** @type {import('node:net').AddressInfo} */ (server.address()).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}` && process.send !== undefined) {
  const rate = Number(process.argv[2] ?? 0);
  const send = (message) => process.send?.(message);
  const { port } = await startStreamingServer({
    rate,
    onStream: (report) =>
      send({
        stream: {
          ...report,
          startedAt: String(report.startedAt),
          firstByteAt: String(report.firstByteAt ?? report.endAt),
          endAt: String(report.endAt),
        },
      }),
  });
  send({ port });
  process.on('disconnect', () => process.exit(0));
}
