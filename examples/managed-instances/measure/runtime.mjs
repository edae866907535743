// The runtime measure.mjs starts: MEASURE_HANDLER picks the handler (io: awaits 20 ms of I/O; cpu:
// hashes for about 2 ms), MEASURE_TRANSPORT=shared makes every poller use one transport instance.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultRuntime } from '@lambda-runtime/core';
import { SocketTransport } from '@lambda-runtime/transport-socket';

const handlers = {
  io: async () => {
    await sleep(20);
    return { ok: true };
  },
  cpu: async () => {
    let digest = Buffer.alloc(32);
    for (let round = 0; round < 4_000; round += 1) digest = createHash('sha256').update(digest).digest();
    return { digest: digest.toString('hex') };
  },
};

const runtime = defaultRuntime(() => handlers[process.env.MEASURE_HANDLER ?? 'io']);
if (process.env.MEASURE_TRANSPORT === 'shared') {
  let shared;
  runtime.withTransport((origin) => {
    shared ??= new SocketTransport({ origin, pipelining: true });
    return shared;
  });
}
runtime.run();
