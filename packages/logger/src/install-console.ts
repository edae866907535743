/* biome-ignore-all lint/suspicious/noConsole: installConsole patches the console on purpose */
import { format } from 'node:util';
import type { Logger } from '@lambda-runtime/api';

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

// The managed Node.js runtime's mapping.
const ROUTES: ReadonlyArray<readonly [ConsoleMethod, LevelName]> = [
  ['log', 'info'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['debug', 'debug'],
  ['trace', 'trace'],
];

/**
 * Routes `console.log`/`info` (INFO), `warn` (WARN), `error` (ERROR), `debug` (DEBUG) and `trace`
 * (TRACE, without a stack) through `logger`, arguments formatted like Node's console
 * (`util.format`), so handlers written for the managed runtime get the level and request id on
 * their lines. A console call made while the logger is writing (a destination that logs to the
 * console) goes to the original method instead of recursing. Returns a function that puts the
 * original methods back.
 *
 * @example
 * ```ts
 * const restore = installConsole(logger);
 * console.log('user %s signed in', name); // 2026-01-05T10:00:00.000Z	8f5…	INFO	user ada signed in
 * restore();
 * ```
 */
export function installConsole(logger: Logger): () => void {
  const originals = ROUTES.map(([method]) => [method, console[method]] as const);
  const levelEnabled = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  let writing = false;
  for (const [method, level] of ROUTES) {
    const original = console[method];
    console[method] = (...args: unknown[]): void => {
      if (writing) {
        original.apply(console, args);
        return;
      }
      // Skip formatting work for lines the logger would drop anyway.
      if (levelEnabled !== undefined && !levelEnabled.call(logger, level)) return;
      writing = true;
      try {
        logger[level](format(...args));
      } finally {
        writing = false;
      }
    };
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const [method, original] of originals) console[method] = original;
  };
}
