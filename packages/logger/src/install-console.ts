/* biome-ignore-all lint/suspicious/noConsole: installConsole patches the console on purpose */
import { format } from 'node:util';
import type { Logger } from '@lambda-runtime/api';

type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of each console method that writes. The managed Node.js runtime's mapping for
 * log/info/warn/error/debug/trace; the others at the level of the method Node's own console
 * implements them with (table, count, time*, group* and dirxml with `log`, assert with `warn`),
 * and dir at INFO.
 */
const LEVELS: Readonly<Record<string, LevelName>> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'trace',
  dir: 'info',
  dirxml: 'info',
  table: 'info',
  assert: 'warn',
  count: 'info',
  countReset: 'info',
  group: 'info',
  groupCollapsed: 'info',
  groupEnd: 'info',
  time: 'info',
  timeEnd: 'info',
  timeLog: 'info',
  timeStamp: 'info',
  profile: 'info',
  profileEnd: 'info',
  clear: 'info',
};

// Methods that keep state (counters, timers, group depth): called even when their level is off.
const STATEFUL = new Set([
  'count',
  'countReset',
  'group',
  'groupCollapsed',
  'groupEnd',
  'time',
  'timeEnd',
  'timeLog',
]);

// Console calls made by the logger itself while it writes (a destination that logs), per call.
const MAX_NESTED_LINES = 100;

/** A logger that can also redact text written around it (such as `DeferredLogger`). */
interface RedactingLogger {
  redact?: (text: string) => string;
  isLevelEnabled?: (level: string) => boolean;
}

/**
 * Routes every `console` method through `logger`: `log`/`info` (INFO), `warn` (WARN), `error`
 * (ERROR), `debug` (DEBUG), `trace` (TRACE, the message only) as the managed Node.js runtime
 * does, and also `dir`, `dirxml`, `table`, `assert`, `count`, `time*`, `group*`..., formatted
 * by a private Node `Console` (so tables, counters, timers and group indentation read as usual),
 * so handlers written for the managed runtime get the level and request id on their lines, and the
 * logger's redaction applies to every one of them. A console call made inside the formatting of
 * another (a `util.inspect.custom` hook that logs) is logged like any other; one made while the
 * logger writes (a destination that logs) is logged right after the line being written, never
 * raw, and never recursing.
 *
 * When the logger has a `redact(text)` method (the runtime's `DeferredLogger` does), whatever else
 * is written to `process.stdout` and `process.stderr` (a console reference taken before this call,
 * `NODE_DEBUG` output, a direct `write`) is redacted with it too.
 *
 * Returns a function that puts everything back.
 *
 * @example
 * ```ts
 * const restore = installConsole(logger);
 * console.log('user %s signed in', name); // 2026-01-05T10:00:00.000Z	8f5…	INFO	user ada signed in
 * console.table([{ id: 1 }]);             // one INFO record holding the table
 * restore();
 * ```
 */
export function installConsole(logger: Logger): () => void {
  // Not an import of node:console: loading it as an ES module costs about a millisecond of cold
  // start, and `console.Console` is missing where the console was replaced (test runners).
  const NodeConsole = process.getBuiltinModule('node:console').Console;
  const capabilities = logger as Logger & RedactingLogger;
  const enabled = (level: LevelName): boolean =>
    capabilities.isLevelEnabled === undefined || capabilities.isLevelEnabled.call(logger, level);

  let writing = false;
  const nested: Array<readonly [LevelName, string]> = [];
  const write = (level: LevelName, text: string): void => {
    if (!enabled(level)) return;
    if (writing) {
      if (nested.length < MAX_NESTED_LINES) nested.push([level, text]);
      return;
    }
    writing = true;
    try {
      logger[level](text);
      // Lines the writing itself logged (bounded, so a destination that logs every line ends).
      for (let index = 0; index < nested.length; index += 1) {
        const [nestedLevel, nestedText] = nested[index] as readonly [LevelName, string];
        logger[nestedLevel](nestedText);
      }
    } finally {
      nested.length = 0;
      writing = false;
    }
  };

  // Node's own formatting (tables, counters, group indentation) into a sink that hands each
  // finished record to the logger at the level of the method being called.
  let level: LevelName = 'info';
  const sink = {
    write(chunk: string | Uint8Array): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      write(level, text.endsWith('\n') ? text.slice(0, -1) : text);
      return true;
    },
  };
  // Created on first use: constructing a Console costs a few hundred microseconds of cold start.
  let formatter: Console | undefined;
  const formatterInstance = (): Console => {
    formatter ??= new NodeConsole({
      stdout: sink as never,
      stderr: sink as never,
      ignoreErrors: false,
      colorMode: false,
    });
    return formatter;
  };

  const saved = new Map<string, unknown>();
  const target = console as unknown as Record<string, unknown>;
  for (const [method, methodLevel] of Object.entries(LEVELS)) {
    const implementation = (NodeConsole.prototype as unknown as Record<string, unknown>)[method];
    if (typeof implementation !== 'function') continue;
    saved.set(method, target[method]);
    if (method === 'trace') {
      // The managed runtime writes the message of console.trace without a stack.
      target.trace = (...args: unknown[]): void => {
        if (enabled('trace')) write('trace', format(...args));
      };
      continue;
    }
    target[method] = (...args: unknown[]): void => {
      // Skip formatting work for lines the logger would drop anyway.
      if (!STATEFUL.has(method) && !enabled(methodLevel)) return;
      const outer = level;
      level = methodLevel;
      try {
        (implementation as (...a: unknown[]) => void).apply(formatterInstance(), args);
      } finally {
        level = outer;
      }
    };
  }

  const unguard =
    typeof capabilities.redact === 'function'
      ? guardStandardStreams((text) => (capabilities.redact as (text: string) => string).call(logger, text))
      : () => undefined;

  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const [method, original] of saved) target[method] = original;
    unguard();
  };
}

const GUARDED = Symbol('@lambda-runtime/logger/guarded');

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * Redacts what is written to `process.stdout` and `process.stderr`. The streams are created
 * lazily by Node (creating one costs start-up time), so the getters are wrapped and a stream is
 * guarded when first used.
 */
function guardStandardStreams(redact: (text: string) => string): () => void {
  const restores: Array<() => void> = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    const getter = descriptor?.get;
    if (descriptor === undefined || getter === undefined || descriptor.configurable !== true) continue;
    const guarded: Array<() => void> = [];
    Object.defineProperty(process, name, {
      ...descriptor,
      get() {
        const stream = getter.call(process) as NodeJS.WriteStream & { [GUARDED]?: true };
        if (stream[GUARDED] !== true) guarded.push(guardWrite(stream, redact));
        return stream;
      },
    });
    restores.push(() => {
      Object.defineProperty(process, name, descriptor);
      for (const unguard of guarded) unguard();
    });
  }
  return () => {
    for (const restore of restores) restore();
  };
}

function guardWrite(
  stream: NodeJS.WriteStream & { [GUARDED]?: true },
  redact: (text: string) => string,
): () => void {
  const original = stream.write as unknown as Write;
  const guarded: Write = function (this: unknown, chunk, ...rest) {
    let redacted = chunk;
    if (typeof chunk === 'string') {
      redacted = redact(chunk);
    } else if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const clean = redact(text);
      // Bytes that needed no redaction go out untouched (they may not even be text).
      if (clean !== text) redacted = Buffer.from(clean, 'utf8');
    }
    return original.call(this, redacted, ...rest);
  };
  stream.write = guarded as unknown as typeof stream.write;
  stream[GUARDED] = true;
  return () => {
    if ((stream.write as unknown) === guarded) stream.write = original as unknown as typeof stream.write;
    delete stream[GUARDED];
  };
}
