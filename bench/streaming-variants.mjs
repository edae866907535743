// The clients the streaming benchmark (streaming.mjs) measures, as data. Each `stream(origin,
// plan)` sends one streamed POST in HTTP/1.1 chunked encoding: first a small `firstChunk` (a
// token), then `chunks` writes of `chunk`, each waiting as the client's backpressure says, then the
// terminator; it resolves once the 202 has been read. To add a client, append an entry.
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { GotTransport } from '@lambda-runtime/transport-got';
import { SocketTransport } from '@lambda-runtime/transport-socket';
import { Client } from 'undici';

/** @typedef {{ path: string, headers: Record<string, string>, firstChunk: Buffer, chunk: Buffer, chunks: number }} StreamPlan */
/** @typedef {{ name: string, description: string, stream: (origin: string, plan: StreamPlan) => Promise<number> }} StreamingVariant */

/** The variant every ratio is computed against. */
export const STREAMING_BASELINE = 'baseline';

/** Streams through a Transport's openStream; resolves with the answer's status. */
async function throughTransport(transport, plan) {
  try {
    const stream = transport.openStream({ method: 'POST', path: plan.path, headers: plan.headers });
    await stream.write(plan.firstChunk);
    for (let i = 0; i < plan.chunks; i += 1) await stream.write(plan.chunk);
    const { status } = await stream.end();
    return status;
  } finally {
    await transport.close();
  }
}

/** @type {StreamingVariant[]} */
export const STREAMING_VARIANTS = [
  {
    name: 'baseline',
    description: 'hand-written node:http ClientRequest: chunked by default, flushHeaders(), write() / drain',
    stream: (origin, plan) =>
      new Promise((resolve, reject) => {
        const url = new URL(origin);
        const outgoing = httpRequest({
          agent: false,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: plan.path,
          headers: plan.headers,
        });
        outgoing.on('error', reject);
        outgoing.on('response', (incoming) => {
          incoming.resume();
          incoming.on('end', () => resolve(incoming.statusCode ?? 0));
        });
        outgoing.flushHeaders();
        (async () => {
          if (!outgoing.write(plan.firstChunk)) await once(outgoing, 'drain');
          for (let i = 0; i < plan.chunks; i += 1) {
            if (!outgoing.write(plan.chunk)) await once(outgoing, 'drain');
          }
          outgoing.end();
        })().catch(reject);
      }),
  },
  {
    name: 'socket',
    description: 'SocketTransport.openStream (the default transport)',
    stream: (origin, plan) => throughTransport(new SocketTransport({ origin }), plan),
  },
  {
    name: 'got',
    description: 'GotTransport.openStream (got.stream)',
    stream: (origin, plan) => throughTransport(new GotTransport({ origin }), plan),
  },
  {
    name: 'undici',
    description:
      'undici Client.request with an async-iterable body (no trailers possible: UndiciTransport declares streaming unsupported)',
    stream: async (origin, plan) => {
      const client = new Client(origin, { headersTimeout: 0, bodyTimeout: 0 });
      try {
        const { statusCode, body } = await client.request({
          method: 'POST',
          path: plan.path,
          headers: plan.headers,
          body: (async function* () {
            yield plan.firstChunk;
            for (let i = 0; i < plan.chunks; i += 1) yield plan.chunk;
          })(),
        });
        await body.dump();
        return statusCode;
      } finally {
        await client.destroy();
      }
    },
  },
];
