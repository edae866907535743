// The parent's side of a bench Runtime API server (bench/server.mjs, bench/concurrency-server.mjs)
// run in its own process and driven over the IPC channel.
import { fork } from 'node:child_process';
import { withoutExtraCaCerts } from './lambda-environment.mjs';

/**
 * Forks the server script at `path`, waits for its `listening` message and wraps its IPC channel:
 * `send`, `next(type, timeoutMs, what)` (the next message, which must be of `type`), `roundTrip`,
 * `stop`, `kill`, `port` and `pid`.
 */
export async function startServerProcess(path) {
  const child = fork(path, [], {
    env: withoutExtraCaCerts(process.env),
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue = [];
  let waiter;
  child.on('message', (message) => {
    if (message.type === 'init-error' || message.type === 'protocol-error') {
      const error = new Error(`Runtime API server: ${message.type} ${message.body ?? message.message}`);
      if (waiter) waiter.reject(error);
      else queue.push({ type: 'failure', error });
      return;
    }
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  const api = {
    port: 0,
    pid: child.pid,
    send: (message) => child.send(message),
    /** The next message from the server; it must be of `type`. `what` names it in the timeout error. */
    next(type, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const settle = (message) => {
          if (message.type === 'failure') return reject(message.error);
          if (message.type !== type)
            return reject(new Error(`expected ${type} from the server, got ${message.type}`));
          resolve(message);
        };
        if (queue.length > 0) return settle(queue.shift());
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(
            new Error(
              what === undefined
                ? `no ${type} from the server within ${timeoutMs} ms`
                : `timed out after ${timeoutMs} ms waiting for ${what}`,
            ),
          );
        }, timeoutMs);
        waiter = {
          resolve: (message) => {
            clearTimeout(timer);
            waiter = undefined;
            settle(message);
          },
          reject: (error) => {
            clearTimeout(timer);
            waiter = undefined;
            reject(error);
          },
        };
      });
    },
    /** Resolves once the server has processed every message sent so far (IPC is ordered). */
    roundTrip: async () => {
      child.send({ type: 'ping' });
      await api.next('pong', 10_000);
    },
    stop: () => {
      if (child.connected) child.send({ type: 'stop' });
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
    kill: () => child.kill('SIGKILL'),
  };
  api.port = (await api.next('listening', 10_000)).port;
  return api;
}
