// A streaming function on defaultRuntime, for bench/streaming-rss.mjs: each invocation streams
// BENCH_STREAM_MIB MiB (default 100) in 64 KiB chunks. BENCH_TRANSPORT picks the transport
// (`socket`, the default, or `got`). BENCH_IGNORE_BACKPRESSURE=1 is the control: the handler
// writes every chunk at once, ignoring what `write()` returns, so the runtime must buffer them.
import { defaultRuntime } from '@lambda-runtime/core';
import { streamingHandler } from '@lambda-runtime/handlers';
import { GotTransport } from '@lambda-runtime/transport-got';

const CHUNK = 64 * 1024;
const CHUNKS = Math.ceil((Number(process.env.BENCH_STREAM_MIB ?? 100) * 1024 * 1024) / CHUNK);

const SHARED = Buffer.alloc(CHUNK, 0x78);
const honouring = streamingHandler(async function* () {
  // A fresh buffer per chunk, as a handler producing data does: garbage the GC must keep up with.
  // BENCH_REUSE_CHUNK=1 yields one unchanged buffer again and again: no garbage at all.
  const reuse = process.env.BENCH_REUSE_CHUNK === '1';
  for (let i = 0; i < CHUNKS; i += 1) yield reuse ? SHARED : Buffer.alloc(CHUNK, 0x78);
});

const ignoring = streamingHandler(async (_event, responseStream) => {
  for (let i = 0; i < CHUNKS; i += 1) responseStream.write(Buffer.alloc(CHUNK, 0x78));
  responseStream.end();
});

const runtime = defaultRuntime(() => (process.env.BENCH_IGNORE_BACKPRESSURE === '1' ? ignoring : honouring));
if (process.env.BENCH_TRANSPORT === 'got') runtime.withTransport((origin) => new GotTransport({ origin }));
runtime.run();
