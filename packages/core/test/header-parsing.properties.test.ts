import {
  type Invocation,
  ProtocolError,
  RuntimeApiError,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '@lambda-runtime/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuntimeApiClient } from '../src/index.js';

/** The §3.1 headers and the `Invocation` field each one lands in. */
const FIELDS = {
  'lambda-runtime-aws-request-id': 'requestId',
  'lambda-runtime-deadline-ms': 'deadlineMs',
  'lambda-runtime-invoked-function-arn': 'invokedFunctionArn',
  'lambda-runtime-trace-id': 'traceId',
  'lambda-runtime-client-context': 'clientContext',
  'lambda-runtime-cognito-identity': 'cognitoIdentity',
  'lambda-runtime-aws-tenant-id': 'tenantId',
  'content-type': 'contentType',
} as const satisfies Record<string, keyof Invocation>;

type HeaderName = keyof typeof FIELDS;
const NAMES = Object.keys(FIELDS) as HeaderName[];

/** A transport that answers every request with one canned response and records what it was asked. */
class CannedTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  constructor(private readonly response: TransportResponse) {}

  async request(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    return this.response;
  }

  async close(): Promise<void> {}
}

/** What one header looks like on the wire, and what the client should make of it. */
type HeaderCase =
  | { kind: 'absent' }
  | { kind: 'blank'; raw: string }
  | { kind: 'value'; raw: string; expected: string };

// Printable ASCII (0x20..0x7e), the characters HTTP field values carry in practice.
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const blank = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 4 }).map((chars) => chars.join(''));
/** Whether `value` is one text joined with `, ` to itself (kept out of the generated values). */
function isJoinedCopies(value: string): boolean {
  for (let length = 1; length < value.length; length += 1) {
    const copies = (value.length + 2) / (length + 2);
    if (Number.isInteger(copies) && copies >= 2) {
      const text = value.slice(0, length);
      if (Array.from({ length: copies }, () => text).join(', ') === value) return true;
    }
  }
  return false;
}

// Visible ASCII with a non-blank first and last character, as HTTP field values are.
const visible = fc
  .string({ unit: printable, minLength: 1, maxLength: 40 })
  .filter((s) => s.trim() === s && s !== '' && !isJoinedCopies(s));

const headerCase: fc.Arbitrary<HeaderCase> = fc.oneof(
  fc.constant<HeaderCase>({ kind: 'absent' }),
  blank.map<HeaderCase>((raw) => ({ kind: 'blank', raw })),
  fc.tuple(blank, visible, blank).map<HeaderCase>(([before, value, after]) => ({
    kind: 'value',
    raw: before + value + after,
    expected: value,
  })),
);

/** Every §3.1 header in a random case (lower, upper, mixed), each absent, blank or set. */
const headerSet = fc.record(
  Object.fromEntries(
    NAMES.map((name) => [name, fc.record({ spelling: fc.mixedCase(fc.constant(name)), value: headerCase })]),
  ) as Record<HeaderName, fc.Arbitrary<{ spelling: string; value: HeaderCase }>>,
);

function toWire(set: Record<HeaderName, { spelling: string; value: HeaderCase }>): Record<string, string> {
  const wire: Record<string, string> = {};
  for (const name of NAMES) {
    const { spelling, value } = set[name];
    if (value.kind !== 'absent') wire[spelling] = value.raw;
  }
  return wire;
}

function expectedValue(value: HeaderCase): string | undefined {
  return value.kind === 'value' ? value.expected : undefined;
}

/** A transport that answers with its responses in turn, recording what it was asked. */
class SequenceTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  constructor(private readonly responses: TransportResponse[]) {}

  async request(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    if (request.method === 'POST') return { status: 202, headers: {}, body: new Uint8Array() };
    const response = this.responses.shift();
    if (response === undefined) throw new Error('no more responses');
    return response;
  }

  async close(): Promise<void> {}
}

function client(headers: Record<string, string>, status = 200, body = new Uint8Array([0x7b, 0x7d])) {
  const transport = new CannedTransport({ status, headers, body });
  return { transport, client: new RuntimeApiClient(transport) };
}

describe('RuntimeApiClient.next header parsing properties', () => {
  it('item 15: reads every header in any letter case and treats empty or blank values as absent', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerSet.filter((set) => set['lambda-runtime-aws-request-id'].value.kind === 'value'),
        async (set) => {
          const invocation = await client(toWire(set)).client.next();

          for (const name of NAMES.filter((n) => n !== 'content-type')) {
            expect(invocation[FIELDS[name]], name).toBe(expectedValue(set[name].value));
          }
        },
      ),
    );
  });

  it('item 16: rejects with ProtocolError whenever the request id is absent, empty or blank', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerSet.filter((set) => set['lambda-runtime-aws-request-id'].value.kind !== 'value'),
        async (set) => {
          const next = client(toWire(set)).client.next();

          await expect(next).rejects.toBeInstanceOf(ProtocolError);
        },
      ),
    );
  });

  it('item 9: defaults the content type to application/json when it is absent or blank', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerSet.filter((set) => set['lambda-runtime-aws-request-id'].value.kind === 'value'),
        async (set) => {
          const invocation = await client(toWire(set)).client.next();

          expect(invocation.contentType).toBe(expectedValue(set['content-type'].value) ?? 'application/json');
        },
      ),
    );
  });

  it('item 15: exposes every header under its lower-case name and passes the body through untouched', async () => {
    await fc.assert(
      fc.asyncProperty(
        headerSet.filter((set) => set['lambda-runtime-aws-request-id'].value.kind === 'value'),
        fc.dictionary(
          fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
          fc.string({ unit: printable, maxLength: 20 }),
          { maxKeys: 4 },
        ),
        fc.uint8Array({ maxLength: 64 }),
        async (set, extra, body) => {
          const wire = { ...extra, ...toWire(set) };

          const invocation = await client(wire, 200, body).client.next();

          for (const [name, value] of Object.entries(wire)) {
            expect(invocation.headers[name.toLowerCase()]).toBe(value);
          }
          expect(Object.keys(invocation.headers).every((name) => name === name.toLowerCase())).toBe(true);
          expect(invocation.body).toEqual(body);
        },
      ),
    );
  });

  it('item 9: accepts only 200 from /next and throws RuntimeApiError for any other status', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 599 }).filter((status) => status !== 200),
        headerSet,
        async (status, set) => {
          const next = client(toWire(set), status).client.next();

          await expect(next).rejects.toBeInstanceOf(RuntimeApiError);
        },
      ),
    );
  });

  it('item 6: asks for /next with a GET carrying a User-Agent, whatever the answer', async () => {
    await fc.assert(
      fc.asyncProperty(headerSet, async (set) => {
        const { transport, client: runtimeClient } = client(toWire(set));

        await runtimeClient.next().catch(() => undefined);

        expect(transport.requests).toHaveLength(1);
        expect(transport.requests[0]?.method).toBe('GET');
        expect(transport.requests[0]?.path).toBe('/2018-06-01/runtime/invocation/next');
        expect(Object.keys(transport.requests[0]?.headers ?? {}).map((n) => n.toLowerCase())).toContain(
          'user-agent',
        );
      }),
    );
  });

  it('item 15: counts a §3.1 header repeated with one value (and blanks) once, and takes a value not listed as repeated as it is', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES.filter((n) => n !== 'lambda-runtime-aws-request-id')),
        visible,
        fc.array(fc.oneof(fc.constant('same'), blank), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (name, value, others, listed) => {
          const values = [value, ...others.map((other) => (other === 'same' ? value : other))];
          const headers = { 'lambda-runtime-aws-request-id': 'id-1', [name]: values.join(', ') };
          const repeated = listed ? { [name]: values } : undefined;
          const transport = new SequenceTransport([
            { status: 200, headers, ...(repeated ? { repeated } : {}), body: new Uint8Array() },
          ]);

          const invocation = await new RuntimeApiClient(transport).next();

          // Not listed in `repeated`, the transport says it is one value: taken as it is.
          expect(invocation[FIELDS[name]]).toBe(listed ? value : values.join(', ').trim());
          expect(transport.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
        },
      ),
    );
  });

  it('items 13, 17: answers on /error, then polls again, when a §3.1 header repeats with different values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES),
        fc.uniqueArray(visible, { minLength: 2, maxLength: 3 }),
        async (name, values) => {
          const headers = { 'lambda-runtime-aws-request-id': 'id-1', [name]: values.join(', ') };
          const transport = new SequenceTransport([
            { status: 200, headers, repeated: { [name]: values }, body: new Uint8Array() },
            { status: 200, headers: { 'lambda-runtime-aws-request-id': 'id-after' }, body: new Uint8Array() },
          ]);

          const invocation = await new RuntimeApiClient(transport).next();

          expect(invocation.requestId).toBe('id-after');
          const ids = name === 'lambda-runtime-aws-request-id' ? values : ['id-1'];
          expect(transport.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
            'GET /2018-06-01/runtime/invocation/next',
            ...ids.map((id) => `POST /2018-06-01/runtime/invocation/${encodeURIComponent(id)}/error`),
            'GET /2018-06-01/runtime/invocation/next',
          ]);
        },
      ),
    );
  });
});
