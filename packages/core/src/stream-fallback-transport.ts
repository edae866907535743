import type {
  StreamingTransportRequest,
  Transport,
  TransportRequest,
  TransportRequestStream,
  TransportResponse,
} from '@lambda-runtime/api';

/**
 * A transport that cannot stream (no `openStream`, checklist item 39), completed by another that
 * can: plain requests, the connection and pipelining stay the first one's; streamed responses go
 * through the second, which opens a connection of its own for each stream anyway (see
 * `Transport.openStream`). The composition root wraps such a transport in this, with the default
 * socket transport, so a streaming handler streams whichever transport the user chose; without it
 * (a loop built by hand) the runtime answers streamed responses buffered, up to 6 MiB.
 *
 * @example
 * ```ts
 * const transport = new StreamFallbackTransport(new UndiciTransport({ origin }), new SocketTransport({ origin }));
 * const stream = transport.openStream({ method: 'POST', path, headers });
 * ```
 */
export class StreamFallbackTransport implements Transport {
  readonly pipelining: boolean | undefined;
  readonly #requests: Transport;
  readonly #streams: Transport & Required<Pick<Transport, 'openStream'>>;

  constructor(requests: Transport, streams: Transport & Required<Pick<Transport, 'openStream'>>) {
    this.#requests = requests;
    this.#streams = streams;
    this.pipelining = requests.pipelining;
  }

  /** The name of the transport that answers plain requests, then of the one that streams. */
  get names(): { readonly requests: string; readonly streams: string } {
    return { requests: nameOf(this.#requests), streams: nameOf(this.#streams) };
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    return this.#requests.request(request);
  }

  openStream(request: StreamingTransportRequest): TransportRequestStream {
    return this.#streams.openStream(request);
  }

  connect(): Promise<void> {
    return this.#requests.connect?.() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await Promise.all([this.#requests.close(), this.#streams.close()]);
  }
}

function nameOf(transport: Transport): string {
  return transport.constructor?.name ?? 'unnamed transport';
}
