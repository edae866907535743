#!/usr/bin/env node
// The demo: the echo example as a real bootstrap process under the built-in local Runtime API,
// invoked with a few events (one of them failing), results printed. Run it with `pnpm demo`.
import { fileURLToPath } from 'node:url';
import { RuntimeApiEmulator } from '@lambda-runtime/emulator';

const bootstrap = fileURLToPath(new URL('./bootstrap', import.meta.url));
const events = [
  { key: 'hello' },
  [1, 2, 3],
  { fail: 'the caller asked for an error' },
  '',
  { key: 'still serving' },
];

const emulator = await RuntimeApiEmulator.start({ functionName: 'echo' });
process.stdout.write(`Runtime API emulator on ${emulator.origin}; starting ${bootstrap}\n\n`);
const runtime = emulator.spawn({ command: bootstrap });

let failures = 0;
try {
  for (const event of events) {
    const result = await emulator.invoke(event);
    if (result.status === 'success') {
      process.stdout.write(`ok    ${JSON.stringify(event)}\n   -> ${result.payload.toString('utf8')}\n`);
    } else {
      failures += 1;
      const { errorType, errorMessage, stackTrace } = result.error ?? {};
      const summary = JSON.stringify({ errorType, errorMessage });
      process.stdout.write(
        `error ${JSON.stringify(event)}\n   -> ${summary} (+ ${stackTrace?.length ?? 0} stack lines)\n`,
      );
    }
  }
} finally {
  await emulator.close();
}

process.stdout.write(`\n${events.length} invocations, ${failures} function errors (expected 2).\n`);
process.stdout.write('Runtime log (stdout of the bootstrap process):\n');
const shorten = (line) => (line.length > 160 ? `${line.slice(0, 157)}...` : line);
for (const line of runtime.stdout.trimEnd().split('\n')) process.stdout.write(`  | ${shorten(line)}\n`);
if (failures !== 2) process.exitCode = 1;
