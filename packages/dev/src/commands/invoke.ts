import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { defineCommand } from '../command.js';
import { DevToolError } from '../dev-tool-error.js';
import {
  clientContextHeader,
  DEFAULT_EMULATOR_URL,
  type FunctionInvocation,
  invokeFunction,
} from '../invoke-function.js';
import { messageOf } from '../message-of.js';
import { SAMPLE_EVENT_KINDS, type SampleEventKind, sampleEvent } from '../sample-events.js';

const USAGE = `Usage: lambda-dev invoke [options]

Invokes the function behind a running emulator ('lambda-dev watch', 'lambda-runtime-emulator')
through the Invoke API endpoint, POST /2015-03-31/functions/<name>/invocations, and prints the
result (pretty JSON on a terminal, the bytes as they came otherwise) or the error document.
Exit code 0 for a result, 1 for a function error or a failed invoke, 2 for bad usage.

The event comes from one of --data, --data-file, --event, or stdin (when it is not a terminal);
with none of them it is {}.

Options:
  --url <url>               the emulator (default ${DEFAULT_EMULATOR_URL})
  -d, --data <json>         the event, as JSON text
  --data-file <path>        the event from a file ('-' for stdin)
  --event <kind>            a sample event of 'lambda-dev event <kind>' (${SAMPLE_EVENT_KINDS.join(', ')})
  --client-context <json>   X-Amz-Client-Context: a JSON object, or its base64
  --function-name <name>    the function in the endpoint's path (default 'function', the name
                            the emulators serve)
  -h, --help                show this help
`;

/** `lambda-dev invoke`: one invocation of a running emulator's function. */
export const invokeCommand = defineCommand({
  name: 'invoke',
  summary: 'Invoke the function behind a running emulator and print the result',
  usage: USAGE,
  options: {
    url: { type: 'string' },
    data: { type: 'string', short: 'd' },
    'data-file': { type: 'string' },
    event: { type: 'string' },
    'client-context': { type: 'string' },
    'function-name': { type: 'string' },
  },
  checkPositionals: ([first]) =>
    first === undefined
      ? undefined
      : `unexpected argument '${first}' (the event goes in --data, --data-file or stdin)`,
  async run({ values }) {
    const payload = await readEvent(values);
    const clientContext =
      values['client-context'] === undefined ? undefined : clientContextHeader(values['client-context']);
    const done = await invokeFunction({
      payload,
      ...(values.url === undefined ? {} : { url: values.url }),
      ...(clientContext === undefined ? {} : { clientContext }),
      ...(values['function-name'] === undefined ? {} : { functionName: values['function-name'] }),
    });
    return report(done, values['function-name'] ?? 'function', process.stdout.isTTY === true);
  },
});

interface EventSources {
  readonly data?: string | undefined;
  readonly 'data-file'?: string | undefined;
  readonly event?: string | undefined;
}

/** The event's JSON text from the one source given, checked to be JSON. */
async function readEvent(values: EventSources): Promise<string> {
  const given = (['data', 'data-file', 'event'] as const).filter((name) => values[name] !== undefined);
  if (given.length > 1) {
    throw new DevToolError(
      'ERR_USAGE',
      `give the event one way: ${given.map((name) => `--${name}`).join(' and ')} were both given`,
    );
  }
  let source: string;
  let payload: string;
  if (values.data !== undefined) {
    source = '--data';
    payload = values.data;
  } else if (values['data-file'] !== undefined) {
    const path = values['data-file'];
    source = path === '-' ? 'stdin' : path;
    try {
      payload = path === '-' ? await text(process.stdin) : await readFile(path, 'utf8');
    } catch (error) {
      throw new DevToolError('ERR_USAGE', `cannot read --data-file ${path}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  } else if (values.event !== undefined) {
    return JSON.stringify(sampleEvent(values.event as SampleEventKind));
  } else if (process.stdin.isTTY !== true) {
    source = 'stdin';
    payload = await text(process.stdin);
  } else {
    return '{}';
  }
  // An empty payload is what the Invoke API turns into {}; anything else must be JSON, as there.
  if (payload.trim() === '') return '{}';
  try {
    JSON.parse(payload);
  } catch (error) {
    throw new DevToolError('ERR_USAGE', `the event from ${source} is not valid JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return payload;
}

function report(done: FunctionInvocation, functionName: string, pretty: boolean): number {
  if (done.apiError !== undefined) {
    const hint =
      done.status === 404
        ? ` (is '${functionName}' the function this emulator serves? it serves 'function')`
        : '';
    process.stderr.write(
      `lambda-dev invoke: the invoke failed with ${done.status} ${done.apiError.type}: ${done.apiError.message}${hint}\n`,
    );
    return 1;
  }
  process.stdout.write(formatPayload(done.payload, pretty));
  if (done.functionError !== undefined) {
    process.stderr.write(
      `lambda-dev invoke: the function failed (X-Amz-Function-Error: ${done.functionError})\n`,
    );
    return 1;
  }
  return 0;
}

/**
 * A payload as `lambda-dev invoke` prints it: on a terminal, JSON indented with a final newline;
 * otherwise the bytes as they came, so a pipe gets exactly the function's answer.
 */
export function formatPayload(payload: Buffer, pretty: boolean): string | Buffer {
  if (!pretty) return payload;
  const text = payload.toString('utf8');
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text.endsWith('\n') ? text : `${text}\n`;
  }
}
