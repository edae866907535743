import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import {
  FUNCTION_CLI_HELP,
  FUNCTION_CLI_OPTIONS,
  type FunctionOptions,
  FunctionOptionsError,
  RuntimeApiEmulator,
  resolveFunctionOptions,
} from '@lambda-runtime/emulator';
import { defineCommand } from '../command.js';
import { DevToolError } from '../dev-tool-error.js';
import { resolveFunctionEntry } from '../function-entry.js';
import { FunctionWatcher, type WatchBuildOutcome } from '../function-watcher.js';
import { messageOf } from '../message-of.js';

const DEFAULT_ENTRY = 'src/index.ts';

const USAGE = `Usage: lambda-dev watch [entry | module.export] [options]

Runs the function under a local Lambda and keeps it current: builds it with esbuild (the settings
of 'lambda-dev build', plus a source map), runs it under the emulator (the Runtime API and the
Invoke API endpoint on --port, a function URL on --http), prints START, END and REPORT per
invocation, and rebuilds when a source changes. After a good build the runtime restarts (an
invocation in flight finishes first) and the next invoke runs the new code; a build error is
shown and the previous build goes on serving. Ctrl-C stops it.

[entry] is a file that calls defaultRuntime(...).run() (default ${DEFAULT_ENTRY}), or a handler
name as Lambda spells it, e.g. src/orders.handler.

Options:
      --port <port>          the emulator's port (default 9000; 0 picks a free one)
      --http <port>          also answer plain HTTP on <port> as a function URL would
      --external <module>    keep a package out of the bundle, loaded from node_modules
                             (repeatable; as for 'lambda-dev build')
${FUNCTION_CLI_HELP}  -h, --help                 show this help

Then:  lambda-dev invoke --data '{"name":"Ada"}'   or, with --http 3000,  curl localhost:3000/
`;

/**
 * `lambda-dev watch`: the function under the emulator, rebuilt and restarted on every change.
 * Runs until SIGINT or SIGTERM; exit 2 for bad usage, 1 when the emulator cannot start.
 */
export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'Run the function under a local emulator; rebuild and restart it when a source changes',
  usage: USAGE,
  options: {
    ...FUNCTION_CLI_OPTIONS,
    port: { type: 'string' },
    http: { type: 'string' },
    external: { type: 'string', multiple: true },
  },
  checkPositionals: ([, extra]) => (extra === undefined ? undefined : `unexpected argument '${extra}'`),
  async run({ values, positionals }) {
    const root = process.cwd();
    // Listening from the start: a signal that arrives before a listener exists kills the process
    // at once, leaving the runtime and the esbuild service behind.
    const stopSignal = new Promise<NodeJS.Signals>((resolveSignal) => {
      process.once('SIGINT', resolveSignal);
      process.once('SIGTERM', resolveSignal);
    });
    const entry = positionals[0] ?? DEFAULT_ENTRY;
    if (positionals[0] === undefined && !existsSync(resolve(root, DEFAULT_ENTRY))) {
      throw new DevToolError(
        'ERR_USAGE',
        `no ${DEFAULT_ENTRY} here: name the entry, e.g. 'lambda-dev watch src/main.ts' or 'lambda-dev watch src/orders.handler'`,
      );
    }
    const port = parsePort('--port', values.port ?? '9000');
    const httpPort = values.http === undefined ? undefined : parsePort('--http', values.http);
    let functionOptions: FunctionOptions;
    try {
      functionOptions = resolveFunctionOptions(values, { cwd: root, parentEnv: process.env });
    } catch (error) {
      throw error instanceof FunctionOptionsError
        ? new DevToolError('ERR_USAGE', error.message, { cause: error })
        : error;
    }
    // A handler name is what Lambda's Handler setting holds: _HANDLER, unless --handler says otherwise.
    if (functionOptions.handler === undefined && resolveFunctionEntry(entry, root).kind === 'handler') {
      functionOptions = { ...functionOptions, handler: entry };
    }
    const colour = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
    const say = (line: string) => process.stderr.write(`lambda-dev watch: ${line}\n`);
    const shownEntry = relative(root, resolve(root, entry)) || entry;

    let emulator: RuntimeApiEmulator | undefined;
    const watcher = await FunctionWatcher.start({
      entry,
      root,
      colour,
      external: values.external ?? [],
      onBuild: (outcome) => reportBuild(outcome, shownEntry, say),
      onBundle: async () => {
        if (emulator === undefined) return;
        await emulator.restartRuntime();
        say('restarted the runtime: the next invoke runs the new build');
      },
    });
    if (!watcher.firstBuild.ok) {
      // Until a good build exists, the runtime fails its init with this, and invokes say so.
      await writeFile(
        watcher.bundle,
        `process.stderr.write('lambda-dev watch: no good build of ${shownEntry} yet: fix the error shown above\\n');\nprocess.exit(1);\n`,
      );
    }
    try {
      emulator = await RuntimeApiEmulator.start({
        ...functionOptions,
        port,
        runtime: { command: process.execPath, args: ['--enable-source-maps', watcher.bundle], cwd: root },
        output: process.stdout,
        colour: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
        ...(httpPort === undefined ? {} : { functionUrl: { port: httpPort } }),
      });
    } catch (error) {
      await watcher.close();
      const code = (error as { code?: unknown }).code;
      throw code === 'EADDRINUSE'
        ? new DevToolError(
            'ERR_USAGE',
            `${messageOf(error)}: another process listens there; choose another --port or --http`,
            {
              cause: error,
            },
          )
        : error;
    }
    say(`emulator listening on ${emulator.origin} (lambda-dev invoke --url ${emulator.origin})`);
    if (emulator.functionUrlOrigin !== undefined) say(`function URL on ${emulator.functionUrlOrigin}/`);
    say(`watching ${shownEntry} and the files it imports; Ctrl-C stops`);

    const signal = await stopSignal;
    say(`${signal}: stopping`);
    await watcher.close();
    await emulator.close();
    return 0;
  },
});

function reportBuild(outcome: WatchBuildOutcome, entry: string, say: (line: string) => void): void {
  if (outcome.ok) {
    if (outcome.warnings !== '') process.stderr.write(outcome.warnings);
    say(`built ${entry} in ${Math.round(outcome.durationMs)} ms`);
    return;
  }
  process.stderr.write(outcome.errors);
  say('build failed; the previous build goes on serving until the next good one');
}

function parsePort(option: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new DevToolError('ERR_USAGE', `${option} must be a port number from 0 to 65535, not '${value}'`);
  }
  return port;
}
