import { AssertionError, deepEqual, equal, fail, ok } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import {
  RuntimeApiPath,
  RuntimeHeader,
  type Transport,
  TransportError,
  type TransportResponse,
} from '@lambda-runtime/api';
import {
  ContractServer,
  type ContractServerOptions,
  type RecordedRequest,
  statusBody,
} from './contract-server.js';
import { type RawContractHandler, RawContractServer, rawResponse } from './raw-contract-server.js';

/** Builds the transport under test for an origin such as `http://127.0.0.1:41234`. */
export type ContractTransportFactory = (origin: string) => Transport | Promise<Transport>;

/** Options of the transport contract suite. */
export interface TransportContractOptions {
  /**
   * How late the long-poll check answers, in ms. Default 3_000. The environment variable
   * `TRANSPORT_CONTRACT_LONG_POLL_MS` can raise it (e.g. `600000` for the 10-minute check of item 7).
   */
  readonly longPollMs?: number;
  /**
   * Whether the transport streams request bodies (`Transport.openStream`, response streaming).
   * Default `true`: every streaming check runs. `false` declares that it cannot (checklist item 39):
   * the suite then checks that it has no `openStream`, so the runtime can say so when it starts.
   */
  readonly streaming?: boolean;
}

/** One check of the contract: a title for the test and a function that throws when the transport fails it. */
export interface TransportContractCheck {
  readonly title: string;
  /** How long the check may take with these options, in ms (used as the test timeout). */
  timeoutMs(options?: TransportContractOptions): number;
  /** Starts its own server and transport, checks, and cleans both up; rejects with an `AssertionError` on failure. */
  run(createTransport: ContractTransportFactory, options?: TransportContractOptions): Promise<void>;
}

const DEFAULT_LONG_POLL_MS = 3_000;
export const DEFAULT_TIMEOUT_MS = 20_000;
/** Bound on any single step that should be quick on loopback. */
export const STEP_MS = 10_000;
/** Bound on close() and on the server seeing a connection close: both are immediate on loopback. */
export const CLOSE_MS = 3_000;

/** The long-poll delay: the option (default 3 s), raised by `TRANSPORT_CONTRACT_LONG_POLL_MS` when that is larger. */
export function resolveLongPollMs(options: TransportContractOptions = {}): number {
  const configured = options.longPollMs ?? DEFAULT_LONG_POLL_MS;
  const fromEnvironment = Number(process.env.TRANSPORT_CONTRACT_LONG_POLL_MS);
  return Number.isSafeInteger(fromEnvironment) && fromEnvironment > configured ? fromEnvironment : configured;
}

/** What a check's server has in common, whichever kind it is. */
export interface CheckServer {
  readonly origin: string;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export interface Harness<S extends CheckServer> {
  readonly server: S;
  readonly transport: Transport;
}

async function withHarness(
  createTransport: ContractTransportFactory,
  serverOptions: ContractServerOptions,
  body: (harness: Harness<ContractServer>) => Promise<void>,
): Promise<void> {
  return withServer(createTransport, new ContractServer(serverOptions), body);
}

/** Starts `server`, builds a transport for it, runs `body`, and closes both whatever happens. */
export async function withServer<S extends CheckServer>(
  createTransport: ContractTransportFactory,
  server: S,
  body: (harness: Harness<S>) => Promise<void>,
): Promise<void> {
  await server.listen();
  let transport: Transport | undefined;
  try {
    transport = await createTransport(server.origin);
    await body({ server, transport });
  } finally {
    // Closing the server too releases a transport whose close() waits for its connection, so a
    // broken transport cannot keep the check hanging.
    await Promise.allSettled([
      transport === undefined ? undefined : within(transport.close(), CLOSE_MS, 'transport.close()'),
      server.close(),
    ]);
  }
}

/**
 * Holds the event loop like a synchronous handler does (CPU-bound work): socket events queue up,
 * and a server close that fell due meanwhile lands just as the next request goes out.
 */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose.
  }
}

/** Writes `bytes`, then ends (FIN) or resets (RST) the connection once they are flushed. */
function writeThenClose(socket: Socket, bytes: Buffer | string, how: 'end' | 'reset'): void {
  socket.write(bytes, () => (how === 'end' ? socket.destroy() : socket.resetAndDestroy()));
}

/** Closes the connection without a byte of answer: FIN (`end`) or RST (`reset`). */
function closeUnanswered(socket: Socket, how: 'end' | 'reset'): void {
  if (how === 'end') socket.destroy();
  else socket.resetAndDestroy();
}

/** Rejects when `promise` has not settled after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new AssertionError({ message: `${what} did not settle within ${ms} ms` })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function bytesEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array`);
  equal(actual.byteLength, expected.byteLength, `${what}: length`);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  const index = a.findIndex((byte, i) => byte !== e[i]);
  fail(`${what}: first differing byte at index ${index}`);
}

function lastRequest(server: ContractServer) {
  const request = server.requests.at(-1);
  ok(request, 'the server received no request');
  return request;
}

/**
 * POSTs `body` to the server's echo route and checks that the server received `expected` byte-exact,
 * with a `content-length` in bytes, and answered 200; returns that request and the echoed response.
 */
async function postEcho(
  { server, transport }: Harness<ContractServer>,
  request: { readonly path: string; readonly contentType: string; readonly body: string | Uint8Array },
  expected: Uint8Array,
  what: string,
): Promise<{ received: RecordedRequest; response: TransportResponse }> {
  const response = await within(
    transport.request({
      method: 'POST',
      path: request.path,
      headers: { 'content-type': request.contentType },
      body: request.body,
    }),
    STEP_MS,
    what,
  );
  const received = lastRequest(server);
  bytesEqual(received.body, expected, 'request body at the server');
  equal(received.headers['content-length'], String(expected.byteLength), 'content-length sent, in bytes');
  equal(response.status, 200);
  return { received, response };
}

/** Waits for the server to close its idle connection, then `settleMs` more for the close to reach the client. */
async function idleClosed(server: ContractServer, settleMs: number): Promise<void> {
  await server.waitFor(
    (s) => s.openConnectionCount === 0,
    STEP_MS,
    'the server to close the idle connection',
  );
  await sleep(settleMs);
}

async function expectOk(transport: Transport, what: string, path = '/ok'): Promise<TransportResponse> {
  const response = await within(transport.request({ method: 'GET', path }), STEP_MS, what);
  equal(response.status, 200, `${what}: status`);
  return response;
}

export async function expectTransportError(promise: Promise<unknown>, what: string): Promise<TransportError> {
  let caught: unknown;
  try {
    await within(promise, STEP_MS, what);
  } catch (error) {
    caught = error;
  }
  ok(caught !== undefined, `${what}: expected a rejection, the request resolved`);
  ok(
    caught instanceof TransportError,
    `${what}: expected a TransportError, got ${String((caught as Error)?.name)}: ${String((caught as Error)?.message)}`,
  );
  equal(caught.errorType, 'Runtime.TransportError');
  ok(typeof caught.code === 'string' && caught.code.length > 0, `${what}: TransportError.code must be set`);
  ok(caught.cause instanceof Error, `${what}: TransportError.cause must be the library's error`);
  ok(
    !(caught.cause instanceof TransportError),
    `${what}: cause must be the library's error, not a TransportError`,
  );
  return caught;
}

export async function closedPortOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) fail('no port for the closed-port check');
  return `http://127.0.0.1:${address.port}`;
}

const simple = (title: string, run: TransportContractCheck['run']): TransportContractCheck => ({
  title,
  timeoutMs: () => DEFAULT_TIMEOUT_MS,
  run,
});

/** Request ids with every class of character `encodeURIComponent` treats differently, and dot segments. */
const AWKWARD_REQUEST_IDS = [
  '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
  'id with spaces',
  'a/b?c#d',
  '%2F already %20 encoded',
  'plus+amp&eq=semi;comma,colon:at@dollar$',
  "unreserved-_.!~*'()",
  'ünïcödé-日本-🎉',
  '.',
  '..',
  '\\back"quote<angle>{brace}|pipe^caret`tick[]',
];

/** Already-encoded paths (with queries and lower-case escapes) that must reach the server unchanged. */
const RAW_PATHS = [
  '/echo/already%2Fencoded%20path?query=a%2Bb&x=%25&empty=',
  '/echo/%e2%9c%93/lower/%E2%9C%93/upper',
  '/echo/./dot/../segments',
  '/echo//double//slashes/',
];

const STATUS_CODES = [200, 202, 204, 400, 403, 404, 413, 500, 502] as const;

const UTF8_TEXT = 'Grüße, 世界! 🎉 👩‍👩‍👧 ∑ \u0000 tab\tnew\nline "quoted" \\ {"json":"ünï"}';

/**
 * The checks of the transport contract, each runnable on its own (the suite registered by
 * `describeTransportContract` runs them all). Titles carry conformance item numbers from
 * docs/runtime-api.md §13 where they apply.
 *
 * @example
 * ```ts
 * await transportContractChecks.connectionReuse.run((origin) => new UndiciTransport({ origin }));
 * ```
 */
export const transportContractChecks = {
  connectionReuse: simple(
    'reuses one kept-alive connection when 20 GET+POST pairs run one after another',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        for (let i = 0; i < 20; i += 1) {
          const next = await within(
            transport.request({ method: 'GET', path: `/next/${i}` }),
            STEP_MS,
            `GET ${i}`,
          );
          equal(next.status, 200);
          const posted = await within(
            transport.request({
              method: 'POST',
              path: '/status/202',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ i }),
            }),
            STEP_MS,
            `POST ${i}`,
          );
          equal(posted.status, 202);
        }

        equal(server.requests.length, 40, 'requests received');
        equal(server.connectionCount, 1, `connections opened for 40 sequential requests`);
      }),
  ),

  longPoll: {
    title: 'item 7: returns a long-poll answer when the server answers after the long-poll delay',
    timeoutMs: (options) => resolveLongPollMs(options) + DEFAULT_TIMEOUT_MS,
    run: async (createTransport, options) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        const longPollMs = resolveLongPollMs(options);
        const started = Date.now();

        const response = await within(
          transport.request({ method: 'GET', path: `/delay/${longPollMs}` }),
          longPollMs + STEP_MS,
          'the long poll',
        );
        const elapsed = Date.now() - started;
        const posted = await within(
          transport.request({ method: 'POST', path: '/status/202', body: 'after the long poll' }),
          STEP_MS,
          'the POST after the long poll',
        );

        equal(response.status, 200);
        equal(Buffer.from(response.body).toString(), 'late');
        ok(elapsed >= longPollMs - 50, `answered after ${elapsed} ms, expected at least ${longPollMs}`);
        equal(posted.status, 202);
        equal(server.requests.filter((r) => r.url.startsWith('/delay/')).length, 1, 'long polls sent');
        equal(server.connectionCount, 1, 'connections opened');
      }),
  } satisfies TransportContractCheck,

  idleAfterAnnouncedKeepAlive: simple(
    'succeeds when the connection sat idle longer than the keep-alive the server announced',
    async (createTransport) =>
      withHarness(createTransport, { keepAliveTimeoutMs: 1_000 }, async ({ server, transport }) => {
        await expectOk(transport, 'the first GET');
        await idleClosed(server, 100);

        const response = await within(
          transport.request({ method: 'GET', path: '/ok' }),
          STEP_MS,
          'the GET after idling',
        );

        equal(response.status, 200);
        equal(server.connectionCount, 2, 'connections opened');
      }),
  ),

  idleAfterUnannouncedClose: simple(
    'succeeds when the server closed the idle connection (FIN, then RST) without announcing a keep-alive',
    async (createTransport) => {
      for (const idleCloseMode of ['end', 'reset'] as const) {
        await withHarness(
          createTransport,
          { keepAliveTimeoutMs: 0, idleCloseMs: 300, idleCloseMode },
          async ({ server, transport }) => {
            await expectOk(transport, `the first GET (${idleCloseMode})`);
            await idleClosed(server, 200);

            const response = await within(
              transport.request({ method: 'POST', path: '/status/202', body: '{}' }),
              STEP_MS,
              `the POST after idling (${idleCloseMode})`,
            );

            equal(response.status, 202, `status after idle close by ${idleCloseMode}`);
            equal(server.connectionCount, 2, 'connections opened');
          },
        );
      }
    },
  ),

  encodedPaths: simple(
    'item 18: sends already-encoded paths byte for byte when request ids need URL-encoding',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        const paths = [
          ...AWKWARD_REQUEST_IDS.flatMap((id) => [RuntimeApiPath.response(id), RuntimeApiPath.error(id)]),
          ...RAW_PATHS,
        ];

        for (const path of paths) {
          const response = await within(
            transport.request({ method: 'POST', path, body: 'x' }),
            STEP_MS,
            `POST ${path}`,
          );

          equal(response.status, 200, `status for ${path}`);
          equal(lastRequest(server).url, path, 'the path the server received');
        }
      }),
  ),

  binaryBody: simple(
    'carries all 256 byte values both ways when the body is a Uint8Array view',
    async (createTransport) =>
      withHarness(createTransport, {}, async (harness) => {
        const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        // A view into a larger buffer catches transports that ignore byteOffset/byteLength.
        const backing = new Uint8Array(1024).fill(0xee);
        backing.set(bytes, 100);
        const view = backing.subarray(100, 356);

        const { response } = await postEcho(
          harness,
          { path: '/echo/binary', contentType: 'application/octet-stream', body: view },
          bytes,
          'the binary POST',
        );

        bytesEqual(response.body, bytes, 'response body');
      }),
  ),

  largeBody: simple(
    'carries a 6 MiB body byte-exact both ways when it is random binary',
    async (createTransport) =>
      withHarness(createTransport, {}, async (harness) => {
        const bytes = randomBytes(6 * 1024 * 1024);

        const { received, response } = await postEcho(
          harness,
          {
            path: '/echo/large',
            contentType: 'application/octet-stream',
            body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          },
          bytes,
          'the 6 MiB POST',
        );

        equal(received.headers['transfer-encoding'], undefined, 'a buffered body is not chunked');
        bytesEqual(response.body, bytes, 'response body');
      }),
  ),

  utf8Body: simple(
    'carries UTF-8 byte-exact both ways when the body is a string with multi-byte characters',
    async (createTransport) =>
      withHarness(createTransport, {}, async (harness) => {
        const expected = new TextEncoder().encode(UTF8_TEXT);

        const { response } = await postEcho(
          harness,
          { path: '/echo/utf8', contentType: 'text/plain; charset=utf-8', body: UTF8_TEXT },
          expected,
          'the UTF-8 POST',
        );

        equal(new TextDecoder('utf-8', { fatal: true }).decode(response.body), UTF8_TEXT, 'response text');
      }),
  ),

  responseHeaders: simple(
    'item 15: lower-cases response header names and joins repeated ones when the server mixes case',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ transport }) => {
        const { status, headers } = await within(
          transport.request({ method: 'GET', path: '/headers' }),
          STEP_MS,
          'GET /headers',
        );

        equal(status, 200);
        for (const [name, value] of Object.entries(headers)) {
          equal(name, name.toLowerCase(), `header name ${name} is lower case`);
          equal(typeof value, 'string', `header ${name} is a string`);
        }
        equal(headers['x-upper-case'], 'Upper Value');
        equal(headers['x-lower-case'], 'lower value');
        equal(headers['x-mixed-case'], 'a=b; c="d, e";  f');
        equal(headers['x-repeated'], 'one, two, three');
        equal(headers['lambda-runtime-aws-request-id'], '8476a536-e9f4-11e8-9739-2dfe598c3fcd');
        equal(headers['lambda-runtime-deadline-ms'], '1700000000000');
        equal(headers['lambda-runtime-client-context'], '', 'a present but empty header stays present');
        equal(headers['content-type'], 'application/json; charset=utf-8');
      }),
  ),

  requestHeaders: simple(
    'item 6: sends request headers as given when names are in any case',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        const sent = {
          'User-Agent': 'lambda-runtime/0.1.0 (streaming)',
          'Lambda-Runtime-Function-Error-Type': 'Runtime.Custom',
          'x-lower': 'lower',
          'X-UPPER': 'UPPER  value',
          'Content-Type': 'application/json',
        };

        await within(
          transport.request({ method: 'POST', path: '/echo/h', headers: sent, body: '{}' }),
          STEP_MS,
          'the POST',
        );

        const received = lastRequest(server);
        for (const [name, value] of Object.entries(sent)) {
          equal(received.headers[name.toLowerCase()], value, `header ${name}`);
        }
        const userAgents = received.rawHeaders.filter(
          (_, i) => i % 2 === 0 && received.rawHeaders[i]?.toLowerCase() === 'user-agent',
        );
        equal(userAgents.length, 1, 'exactly one user-agent header');
      }),
  ),

  statusCodes: simple(
    'items 8, 21-23: returns every status with its body instead of throwing when the server answers 2xx-5xx',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ transport }) => {
        for (const method of ['GET', 'POST'] as const) {
          for (const code of STATUS_CODES) {
            const request =
              method === 'POST'
                ? { method, path: `/status/${code}`, body: '{"a":1}' }
                : { method, path: `/status/${code}` };

            const response = await within(transport.request(request), STEP_MS, `${method} /status/${code}`);

            equal(response.status, code, `${method} status`);
            bytesEqual(response.body, Buffer.from(statusBody(code)), `${method} ${code} body`);
          }
        }
      }),
  ),

  connectionRefused: simple(
    'rejects with TransportError ECONNREFUSED when nothing listens on the port',
    async (createTransport) => {
      const origin = await closedPortOrigin();
      const transport = await createTransport(origin);
      try {
        const error = await expectTransportError(
          transport.request({ method: 'GET', path: '/ok' }),
          'a request to a closed port',
        );

        equal(error.code, 'ECONNREFUSED');
      } finally {
        await within(transport.close(), STEP_MS, 'transport.close()').catch(() => {});
      }
    },
  ),

  resetMidResponse: simple(
    'rejects with TransportError, then works on a new connection, when the socket is destroyed mid-response',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        await expectOk(transport, 'the GET before the reset');

        await expectTransportError(
          transport.request({ method: 'GET', path: '/reset/mid-response' }),
          'a response cut short',
        );
        const after = await expectOk(transport, 'the GET after the reset');

        equal(Buffer.from(after.body).toString(), '{"ok":true}');
        equal(server.connectionCount, 2, 'connections opened');
      }),
  ),

  resetBeforeResponse: simple(
    'sends a request once more on a new connection, then rejects with TransportError, when a reused connection is reset before any answer both times',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        await expectOk(transport, 'the GET before the reset');

        const error = await expectTransportError(
          transport.request({ method: 'POST', path: '/reset/before-response', body: '{"result":1}' }),
          'a request answered by a reset',
        );
        await expectOk(transport, 'the GET after the reset');

        equal(error.response, undefined, 'no answer byte arrived: TransportError.response must be undefined');
        equal(
          server.requests.filter((r) => r.url === '/reset/before-response').length,
          2,
          'sent on the reused connection, then once more on a new one',
        );
        equal(server.connectionCount, 3, 'connections opened');
      }),
  ),

  resetOnFreshConnection: simple(
    'does not send a request again when a new connection is reset before any answer',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        await expectTransportError(
          transport.request({ method: 'POST', path: '/reset/before-response', body: '{"result":1}' }),
          'a first request answered by a reset',
        );

        equal(server.requests.length, 1, 'requests received');
      }),
  ),

  reusedConnectionClosedUnderRequest: simple(
    'sends a GET or POST once more on a new connection when the server closes a kept-alive connection after reading it (FIN or RST, no Connection: close)',
    async (createTransport) => {
      for (const how of ['end', 'reset'] as const) {
        for (const method of ['GET', 'POST'] as const) {
          // The first request of a connection is answered; a later one is read, then the connection closed.
          const handler: RawContractHandler = (request, socket) => {
            if (request.indexOnConnection === 1)
              socket.write(rawResponse(`connection ${request.connection}`));
            else closeUnanswered(socket, how);
          };
          await withServer(createTransport, new RawContractServer(handler), async ({ server, transport }) => {
            await within(transport.request({ method: 'GET', path: '/first' }), STEP_MS, 'the first GET');
            const body = method === 'POST' ? '{"answer":42}' : undefined;

            const response = await within(
              transport.request({ method, path: '/second', ...(body === undefined ? {} : { body }) }),
              STEP_MS,
              `the ${method} on the reused connection (${how})`,
            );

            equal(
              Buffer.from(response.body).toString(),
              'connection 2',
              `${method} ${how}: answered on a new connection`,
            );
            const second = server.requests.filter((r) => r.path === '/second');
            equal(second.length, 2, `${method} ${how}: sent twice`);
            equal(second[1]?.method, method);
            equal(second[1]?.body.toString(), body ?? '', `${method} ${how}: the same body again`);
          });
        }
      }
    },
  ),

  idleCloseDuringSynchronousWork: simple(
    'delivers a POST when the server closed the idle connection (FIN or RST, no Connection: close) while a synchronous handler held the event loop',
    async (createTransport) => {
      for (const how of ['end', 'reset'] as const) {
        // Answers, then closes the kept-alive connection 50 ms later without having announced it.
        const handler: RawContractHandler = (request, socket) => {
          socket.write(rawResponse(`connection ${request.connection}`));
          if (request.indexOnConnection === 1) setTimeout(() => closeUnanswered(socket, how), 50);
        };
        await withServer(createTransport, new RawContractServer(handler), async ({ server, transport }) => {
          await within(transport.request({ method: 'GET', path: '/next' }), STEP_MS, 'the /next');
          blockEventLoop(300);

          const response = await within(
            transport.request({ method: 'POST', path: '/response', body: '{"answer":42}' }),
            STEP_MS,
            `the POST after the server closed the connection (${how})`,
          );

          equal(response.status, 200, `status (${how})`);
          equal(
            Buffer.from(response.body).toString(),
            'connection 2',
            `answered on a new connection (${how})`,
          );
          ok(
            server.requests.some((r) => r.path === '/response' && r.connection === 2),
            'the POST reached the server',
          );
        });
      }
    },
  ),

  answerBegun: simple(
    'items 16, 17: rejects without sending again, and says what arrived, when the answer was cut short or its head is too large',
    async (createTransport) => {
      const idLine = 'Lambda-Runtime-Aws-Request-Id: begun-1\r\n';
      const cuts: Record<string, (socket: Socket) => void> = {
        'mid-body': (socket) =>
          writeThenClose(socket, `HTTP/1.1 200 OK\r\n${idLine}Content-Length: 100\r\n\r\n{"a":`, 'end'),
        'mid-head': (socket) => writeThenClose(socket, `HTTP/1.1 200 OK\r\n${idLine}X-Cut: hal`, 'end'),
        'head over every limit': (socket) =>
          writeThenClose(socket, rawResponse('{}', `${idLine}X-Huge: ${'h'.repeat(1024 * 1024)}\r\n`), 'end'),
      };
      for (const [cut, answer] of Object.entries(cuts)) {
        const handler: RawContractHandler = (request, socket) => {
          if (request.indexOnConnection === 1 && request.path === '/first') socket.write(rawResponse());
          else answer(socket);
        };
        await withServer(createTransport, new RawContractServer(handler), async ({ server, transport }) => {
          await within(transport.request({ method: 'GET', path: '/first' }), STEP_MS, 'the first GET');

          const error = await expectTransportError(
            transport.request({ method: 'GET', path: '/next' }),
            `an answer cut ${cut}`,
          );

          equal(server.requests.filter((r) => r.path === '/next').length, 1, `${cut}: sent once`);
          ok(
            error.response !== undefined,
            `${cut}: TransportError.response must say that the answer had begun`,
          );
          if (cut === 'mid-body') {
            equal(error.response.status, 200, `${cut}: status`);
            equal(error.response.headComplete, true, `${cut}: head complete`);
            equal(error.response.headers[RuntimeHeader.requestId], 'begun-1', `${cut}: request id`);
          }
        });
      }
    },
  ),

  utf8HeaderValues: simple(
    'items 9, 12, 14, 18: decodes UTF-8 header values and escapes bytes that are not UTF-8, so a request id is percent-encoded exactly once, from its own bytes',
    async (createTransport) => {
      const values = {
        [RuntimeHeader.requestId]: 'ünï-🎉-id',
        [RuntimeHeader.clientContext]: '{"custom":{"name":"José 🚀"},"env":{"locale":"日本"}}',
        [RuntimeHeader.cognitoIdentity]: '{"cognitoIdentityId":"Zoë","cognitoIdentityPoolId":"pool-ø"}',
        [RuntimeHeader.tenantId]: 'tenant-ünï',
        'x-ascii': 'plain ascii',
      };
      const lines = Buffer.concat([
        ...Object.entries(values).map(([name, value]) => Buffer.from(`${name}: ${value}\r\n`, 'utf8')),
        Buffer.from('X-Latin1: Jos\xe9\r\n', 'latin1'),
      ]);
      await withServer(
        createTransport,
        new RawContractServer((_request, socket) => socket.write(rawResponse('{}', lines))),
        async ({ server, transport }) => {
          const next = await within(
            transport.request({ method: 'GET', path: '/next' }),
            STEP_MS,
            'GET /next',
          );
          const requestId = next.headers[RuntimeHeader.requestId] ?? '';
          await within(
            transport.request({ method: 'POST', path: RuntimeApiPath.response(requestId), body: '{}' }),
            STEP_MS,
            'POST /response',
          );

          for (const [name, value] of Object.entries(values))
            equal(next.headers[name], value, `header ${name}`);
          equal(
            next.headers['x-latin1'],
            'Jos\udce9',
            'a byte that is not UTF-8 escaped as a lone surrogate',
          );
          equal(
            RuntimeApiPath.response(next.headers['x-latin1'] ?? ''),
            '/2018-06-01/runtime/invocation/Jos%E9/response',
            'a value with an escaped byte percent-encoded from its own bytes',
          );
          equal(
            server.requests[1]?.path,
            '/2018-06-01/runtime/invocation/%C3%BCn%C3%AF-%F0%9F%8E%89-id/response',
            'the request id percent-encoded from its UTF-8 bytes, once',
          );
        },
      );
    },
  ),

  repeatedHeaderValues: simple(
    'item 15: lists every value of a repeated header in `repeated`, and only repeated ones, when values repeat or contain commas',
    async (createTransport) => {
      const lines =
        'Lambda-Runtime-Aws-Request-Id: same-id\r\nlambda-runtime-aws-request-id: same-id\r\n' +
        'Content-Type: application/json\r\nContent-Type: text/plain\r\n' +
        'X-Comma: a, b\r\nX-Triple: 1\r\nX-Triple: \r\nX-Triple: 3\r\n';
      await withServer(
        createTransport,
        new RawContractServer((request, socket) =>
          socket.write(request.path === '/plain' ? rawResponse() : rawResponse('{}', lines)),
        ),
        async ({ transport }) => {
          const response = await within(
            transport.request({ method: 'GET', path: '/next' }),
            STEP_MS,
            'GET /next',
          );
          const plain = await within(
            transport.request({ method: 'GET', path: '/plain' }),
            STEP_MS,
            'GET /plain',
          );

          equal(response.headers[RuntimeHeader.requestId], 'same-id, same-id', 'joined with ", "');
          equal(response.headers['x-comma'], 'a, b');
          deepEqual(
            { ...response.repeated },
            {
              [RuntimeHeader.requestId]: ['same-id', 'same-id'],
              'content-type': ['application/json', 'text/plain'],
              'x-triple': ['1', '', '3'],
            },
            'repeated values, in order',
          );
          ok(
            plain.repeated === undefined || Object.keys(plain.repeated).length === 0,
            'no repeated entry when nothing repeated',
          );
        },
      );
    },
  ),

  serverRestart: simple(
    'works again when the server restarts on the same port after a refused request',
    async (createTransport) =>
      withHarness(createTransport, {}, async ({ server, transport }) => {
        await expectOk(transport, 'the GET before the restart');
        const port = server.port;
        await server.close();

        const refused = await expectTransportError(
          transport.request({ method: 'GET', path: '/ok' }),
          'a request while the server is down',
        );
        await server.listen(port);
        await expectOk(transport, 'the GET after the restart');

        equal(refused.response, undefined, 'a refused connection has no answer: TransportError.response');
      }),
  ),

  closeReleasesConnection: simple('releases its connection when close() is called', async (createTransport) =>
    // keepAliveTimeoutMs 0: the server never closes idle connections itself, so only close() can.
    withHarness(createTransport, { keepAliveTimeoutMs: 0 }, async ({ server, transport }) => {
      await expectOk(transport, 'the GET before close');
      equal(server.openConnectionCount, 1, 'open connections before close');

      await within(transport.close(), CLOSE_MS, 'transport.close()');

      await server.waitFor(
        (s) => s.openConnectionCount === 0,
        CLOSE_MS,
        'the server to see the connection close',
      );
    }),
  ),

  closeDuringLongPoll: simple(
    'close() resolves and the outstanding request rejects with TransportError when a long poll is parked',
    async (createTransport) =>
      withHarness(createTransport, { keepAliveTimeoutMs: 0 }, async ({ server, transport }) => {
        const parked = transport.request({ method: 'GET', path: '/hang' });
        parked.catch(() => {});
        await server.waitFor(
          (s) => s.requests.some((r) => r.url === '/hang'),
          STEP_MS,
          'the parked request to arrive',
        );

        await within(transport.close(), CLOSE_MS, 'transport.close() with a request outstanding');

        await expectTransportError(parked, 'the parked request');
        await server.waitFor(
          (s) => s.openConnectionCount === 0,
          CLOSE_MS,
          'the server to see the connection close',
        );
      }),
  ),
} as const satisfies Record<string, TransportContractCheck>;

/** The name of one contract check. */
export type TransportContractCheckName = keyof typeof transportContractChecks;
