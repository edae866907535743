import { Agent } from 'node:http';
import {
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportRequestStream,
  type TransportResponse,
} from '@lambda-runtime/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeTransportContract } from '../src/describe-transport-contract.js';
import { streamingContractChecks, streamingDeclaration } from '../src/streaming-contract-checks.js';
import { resolveLongPollMs, transportContractChecks } from '../src/transport-contract-checks.js';
import { NodeHttpTransport } from './node-http-transport.js';

// A plain node:http transport passes every check, the streaming ones (openStream) included.
describe('items 32, 33, 34, 35, 36, 37, 39: a node:http transport streams, checked by the transport contract', () => {
  describeTransportContract('NodeHttpTransport', (origin) => new NodeHttpTransport({ origin }));
});

/** Wraps a working transport and spoils one aspect of it. */
function spoiled(
  origin: string,
  spoil: (request: TransportRequest, inner: Transport) => Promise<TransportResponse>,
): Transport {
  const inner = new NodeHttpTransport({ origin });
  return { request: (request) => spoil(request, inner), close: () => inner.close() };
}

describe('transportContractChecks', () => {
  it('fails connection reuse when the transport opens a new connection per request', async () => {
    const factory = (origin: string) =>
      new NodeHttpTransport({ origin, agent: new Agent({ keepAlive: false }) });

    await expect(transportContractChecks.connectionReuse.run(factory)).rejects.toThrow(/connections opened/);
  });

  it('fails the long poll when the transport has a client timeout shorter than the poll', async () => {
    const factory = (origin: string) => new NodeHttpTransport({ origin, timeoutMs: 500 });

    await expect(transportContractChecks.longPoll.run(factory, { longPollMs: 1_000 })).rejects.toThrow();
  });

  it('fails the encoded paths check when the transport decodes the path', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) => inner.request({ ...request, path: decodeURI(request.path) }));

    await expect(transportContractChecks.encodedPaths.run(factory)).rejects.toThrow(/path/);
  });

  it('fails the encoded paths check when the transport normalises the path like WHATWG URL', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) => {
        const url = new URL(request.path, origin);
        return inner.request({ ...request, path: `${url.pathname}${url.search}` });
      });

    await expect(transportContractChecks.encodedPaths.run(factory)).rejects.toThrow(/path/);
  });

  it('fails the UTF-8 check when the transport sends strings as Latin-1', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) =>
        inner.request({
          ...request,
          body: typeof request.body === 'string' ? Buffer.from(request.body, 'latin1') : request.body,
        }),
      );

    await expect(transportContractChecks.utf8Body.run(factory)).rejects.toThrow(/request body/);
  });

  it('fails the binary check when the transport sends the whole backing buffer of a view', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) =>
        inner.request({
          ...request,
          body: request.body instanceof Uint8Array ? new Uint8Array(request.body.buffer) : request.body,
        }),
      );

    await expect(transportContractChecks.binaryBody.run(factory)).rejects.toThrow(/length/);
  });

  it('fails the response header check when repeated headers are not joined', async () => {
    const factory = (origin: string) =>
      spoiled(origin, async (request, inner) => {
        const response = await inner.request(request);
        const headers = { ...response.headers, 'x-repeated': 'three' };
        return { ...response, headers };
      });

    await expect(transportContractChecks.responseHeaders.run(factory)).rejects.toThrow();
  });

  it('fails the UTF-8 header check when the transport leaves header values as Latin-1', async () => {
    const factory = (origin: string) =>
      spoiled(origin, async (request, inner) => {
        const response = await inner.request(request);
        const headers = Object.fromEntries(
          Object.entries(response.headers).map(([name, value]) => [
            name,
            Buffer.from(value, 'utf8').toString('latin1'),
          ]),
        );
        return { ...response, headers };
      });

    await expect(transportContractChecks.utf8HeaderValues.run(factory)).rejects.toThrow(/header/);
  });

  it('fails the repeated header check when the transport only joins repeated values', async () => {
    const factory = (origin: string) =>
      spoiled(origin, async (request, inner) => {
        const { repeated: _dropped, ...response } = await inner.request(request);
        return response;
      });

    await expect(transportContractChecks.repeatedHeaderValues.run(factory)).rejects.toThrow(/repeated/);
  });

  it('fails the stale-connection checks when the transport never sends a request again after a reused connection died', async () => {
    const factory = (origin: string) => new NodeHttpTransport({ origin, resendOnStaleSocket: false });

    await expect(transportContractChecks.reusedConnectionClosedUnderRequest.run(factory)).rejects.toThrow();
    await expect(transportContractChecks.resetBeforeResponse.run(factory)).rejects.toThrow(/once more/);
    await expect(transportContractChecks.idleCloseDuringSynchronousWork.run(factory)).rejects.toThrow();
  });

  it('fails the begun-answer check when the transport does not say that the answer had begun', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) =>
        inner.request(request).catch((error: TransportError) => {
          throw new TransportError(error.message, { cause: error.cause, code: error.code ?? 'X' });
        }),
      );

    await expect(transportContractChecks.answerBegun.run(factory)).rejects.toThrow(/had begun/);
  });

  it('fails the status check when the transport throws on error statuses', async () => {
    const factory = (origin: string) =>
      spoiled(origin, async (request, inner) => {
        const response = await inner.request(request);
        if (response.status >= 400) throw new Error(`HTTP ${response.status}`);
        return response;
      });

    await expect(transportContractChecks.statusCodes.run(factory)).rejects.toThrow();
  });

  it('fails the refused-connection check when library errors are not wrapped', async () => {
    const factory = (origin: string) =>
      spoiled(origin, (request, inner) =>
        inner.request(request).catch((error: Error) => {
          throw error.cause;
        }),
      );

    await expect(transportContractChecks.connectionRefused.run(factory)).rejects.toThrow(
      /expected a TransportError/,
    );
  });

  it('fails the close check when close() leaves the connection open', async () => {
    const factory = (origin: string) => {
      const inner = new NodeHttpTransport({ origin });
      return { request: (request: TransportRequest) => inner.request(request), close: async () => {} };
    };

    await expect(transportContractChecks.closeReleasesConnection.run(factory)).rejects.toThrow(
      /connection close/,
    );
  });

  it('fails the close check when close() waits for an outstanding long poll', async () => {
    const factory = (origin: string) => {
      const inner = new NodeHttpTransport({ origin });
      let outstanding: Promise<unknown> = Promise.resolve();
      return {
        request: (request: TransportRequest) => {
          const response = inner.request(request);
          outstanding = response.catch(() => {});
          return response;
        },
        close: async () => {
          await outstanding;
          await inner.close();
        },
      };
    };

    await expect(transportContractChecks.closeDuringLongPoll.run(factory)).rejects.toThrow(/did not settle/);
  });
});

/** Wraps a working transport whose streams are spoiled in one aspect. */
function spoiledStreams(
  origin: string,
  spoil: (inner: TransportRequestStream) => Partial<TransportRequestStream>,
): Transport {
  const inner = new NodeHttpTransport({ origin });
  return {
    request: (request) => inner.request(request),
    close: () => inner.close(),
    openStream: (request) => {
      const stream = inner.openStream(request);
      return {
        write: (chunk) => stream.write(chunk),
        end: (trailers) => stream.end(trailers),
        abort: (reason) => stream.abort(reason),
        response: stream.response,
        ...spoil(stream),
      };
    },
  };
}

describe('streamingContractChecks', () => {
  it('item 39: fails the declaration when a transport declared unable to stream has openStream', async () => {
    const factory = (origin: string) => new NodeHttpTransport({ origin });

    await expect(streamingDeclaration.run(factory, { streaming: false })).rejects.toThrow(/openStream/);
  });

  it('item 39: fails the declaration and every streaming check when a transport said to stream has no openStream', async () => {
    const factory = (origin: string) => spoiled(origin, (request, inner) => inner.request(request));

    await expect(streamingDeclaration.run(factory)).rejects.toThrow(/openStream/);
    await expect(streamingContractChecks.streamHead.run(factory)).rejects.toThrow(/streaming: false/);
  });

  it('item 33: fails the chunk check when the transport holds the body back until end()', async () => {
    const factory = (origin: string) =>
      spoiledStreams(origin, (inner) => {
        const held: Uint8Array[] = [];
        return {
          write: async (chunk) => {
            held.push(chunk);
          },
          end: async (trailers) => {
            for (const chunk of held) await inner.write(chunk);
            return inner.end(trailers);
          },
        };
      });

    await expect(streamingContractChecks.streamChunkBeforeEnd.run(factory)).rejects.toThrow(/before end/);
  });

  it('item 33: fails the backpressure check when write() resolves without waiting for the socket', async () => {
    const factory = (origin: string) =>
      spoiledStreams(origin, (inner) => ({
        write: async (chunk) => {
          inner.write(chunk).catch(() => {});
        },
      }));

    await expect(streamingContractChecks.streamBackpressure.run(factory)).rejects.toThrow(/kept resolving/);
  });

  it('item 35: fails the trailer check when the transport drops the trailers', async () => {
    const factory = (origin: string) => spoiledStreams(origin, (inner) => ({ end: () => inner.end() }));

    await expect(streamingContractChecks.streamTrailers.run(factory)).rejects.toThrow(/trailer section/);
  });

  it('items 34, 36: fails the terminator check when the transport sends empty writes as chunks', async () => {
    const factory = (origin: string) =>
      spoiledStreams(origin, (inner) => ({
        write: (chunk) => (chunk.byteLength === 0 ? inner.write(new Uint8Array([0x20])) : inner.write(chunk)),
      }));

    await expect(streamingContractChecks.streamTerminator.run(factory)).rejects.toThrow(/one chunk per/);
  });
});

describe('resolveLongPollMs', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('uses 3 s when neither the option nor the environment says otherwise', () => {
    vi.stubEnv('TRANSPORT_CONTRACT_LONG_POLL_MS', undefined);

    expect(resolveLongPollMs({})).toBe(3_000);
  });

  it('uses the environment variable when it is larger than the option', () => {
    vi.stubEnv('TRANSPORT_CONTRACT_LONG_POLL_MS', '600000');

    expect(resolveLongPollMs({ longPollMs: 1_000 })).toBe(600_000);
  });

  it('keeps the option when the environment variable is smaller or not a number', () => {
    vi.stubEnv('TRANSPORT_CONTRACT_LONG_POLL_MS', '10');
    expect(resolveLongPollMs({ longPollMs: 1_000 })).toBe(1_000);

    vi.stubEnv('TRANSPORT_CONTRACT_LONG_POLL_MS', 'soon');
    expect(resolveLongPollMs({ longPollMs: 1_000 })).toBe(1_000);
  });
});
