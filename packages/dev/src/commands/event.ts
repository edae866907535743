import { defineCommand } from '../command.js';
import { DevToolError } from '../dev-tool-error.js';
import {
  SAMPLE_EVENT_DESCRIPTIONS,
  SAMPLE_EVENT_KINDS,
  SAMPLE_EVENT_OPTIONS,
  type SampleEventKind,
  type SampleEventOptions,
  sampleEvent,
} from '../sample-events.js';

const KINDS = SAMPLE_EVENT_KINDS.map(
  (kind) => `  ${kind.padEnd(16)} ${SAMPLE_EVENT_DESCRIPTIONS[kind]}`,
).join('\n');

const USAGE = `Usage: lambda-dev event <kind> [options]
       lambda-dev event --list

Prints a sample event as the service sends it (one account, region and instant; ARNs, ids and
digests that agree), checked against its @types/aws-lambda type. Pipe it to 'lambda-dev invoke'
or save it for tests.

Kinds:
${KINDS}

Options (each for the kinds named):
  --body <text>           HTTP kinds: the request body; sqs, sns: the message; s3: the object's
                          content (size, eTag); eventbridge: detail, as a JSON object
  --method <method>       HTTP kinds (default GET, or POST with --body)
  --path <path[?query]>   HTTP kinds (default /)
  --bucket <name>         s3 (default example-uploads)
  --key <key>             s3: the object key, as written (the event carries it URL-encoded)
  --table <name>          dynamodb-stream (default Orders)
  --source <source>       eventbridge (default com.example.orders)
  --detail-type <type>    eventbridge (default OrderPlaced)
  --region <region>       every kind (default us-east-1)
  --list                  list the kinds and the options each takes
  -h, --help              show this help
`;

/** `lambda-dev event <kind>`: prints a sample event. */
export const eventCommand = defineCommand({
  name: 'event',
  summary: 'Print a sample event (API Gateway, function URL, SQS, SNS, S3, EventBridge, DynamoDB)',
  usage: USAGE,
  options: {
    list: { type: 'boolean' },
    body: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string' },
    bucket: { type: 'string' },
    key: { type: 'string' },
    table: { type: 'string' },
    source: { type: 'string' },
    'detail-type': { type: 'string' },
    region: { type: 'string' },
  },
  checkPositionals: ([kind, ...extra]) => {
    if (extra.length > 0) return `unexpected argument '${extra[0]}'`;
    if (kind === undefined) return undefined; // --list, or the problem is reported in run
    return (SAMPLE_EVENT_KINDS as readonly string[]).includes(kind)
      ? undefined
      : `unknown event kind '${kind}': expected one of ${SAMPLE_EVENT_KINDS.join(', ')}`;
  },
  async run({ values, positionals }) {
    const kind = positionals[0] as SampleEventKind | undefined;
    if (values.list === true) {
      const lines = SAMPLE_EVENT_KINDS.map((each) => {
        const options = [...SAMPLE_EVENT_OPTIONS[each], 'region'].map(flagOf).join(' ');
        return `${each.padEnd(16)} ${SAMPLE_EVENT_DESCRIPTIONS[each]}\n${''.padEnd(16)}   options: ${options}`;
      });
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    if (kind === undefined) {
      process.stderr.write(`lambda-dev event: a kind is required (or --list)\n\n${USAGE}`);
      return 2;
    }
    const options: SampleEventOptions = {
      ...(values.body === undefined ? {} : { body: values.body }),
      ...(values.method === undefined ? {} : { method: values.method }),
      ...(values.path === undefined ? {} : { path: values.path }),
      ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
      ...(values.key === undefined ? {} : { key: values.key }),
      ...(values.table === undefined ? {} : { table: values.table }),
      ...(values.source === undefined ? {} : { source: values.source }),
      ...(values['detail-type'] === undefined ? {} : { detailType: values['detail-type'] }),
      ...(values.region === undefined ? {} : { region: values.region }),
    };
    const takes = new Set<string>([...SAMPLE_EVENT_OPTIONS[kind], 'region']);
    const refused = Object.keys(options).filter((name) => !takes.has(name));
    if (refused.length > 0) {
      throw new DevToolError(
        'ERR_USAGE',
        `a ${kind} event takes no ${refused.map((name) => flagOf(name)).join(', ')} ` +
          `(it takes ${[...takes].map((name) => flagOf(name)).join(', ')})`,
      );
    }
    process.stdout.write(`${JSON.stringify(sampleEvent(kind, options), null, 2)}\n`);
    return 0;
  },
});

function flagOf(option: string): string {
  return `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
