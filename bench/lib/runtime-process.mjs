// A runtime process spawned by a bench harness (bench/run.mjs, bench/concurrency.mjs).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/**
 * Spawns `node <args>` (or `command <args>`, e.g. a bootstrap that execs node: the process keeps its
 * pid across exec, so /proc figures hold) with stdout to the file `logPath` and stderr kept. Returns the child, the
 * hrtime just before spawn(), `exited` (resolves with { code, signal }) and `until(promise)`, which
 * rejects instead when the process exits first (its error names `name` and quotes stderr's tail),
 * and `stderr()`, what it wrote to stderr so far.
 */
export function spawnRuntime({ command = process.execPath, args, cwd, env, logPath, name }) {
  const logFd = openSync(logPath, 'w');
  const spawnedAt = process.hrtime.bigint();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', logFd, 'pipe'] });
  closeSync(logFd);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const died = exited.then(({ code, signal }) => {
    throw new Error(
      `${name} exited early (code ${code}, signal ${signal}); stderr: ${stderr.slice(-2000)}; stdout: ${logPath}`,
    );
  });
  died.catch(() => undefined);
  return {
    child,
    spawnedAt,
    exited,
    until: (promise) => Promise.race([promise, died]),
    stderr: () => stderr,
  };
}
