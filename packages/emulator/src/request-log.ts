/** Which Runtime API (or Extensions API) endpoint a recorded request addressed. */
export type RuntimeEndpoint =
  | 'next'
  | 'response'
  | 'error'
  | 'init-error'
  | 'extension-register'
  | 'extension-next'
  | 'ping'
  | 'unknown';

/**
 * One request the runtime made to the emulator, as recorded in {@link RuntimeApiEmulator.requests}.
 * Fields that change while the request is in progress (`body`, `status`, `answeredAt`) are filled
 * in place, so a reference taken early shows the final values later.
 */
export interface RecordedRequest {
  /** 1-based arrival number. */
  readonly seq: number;
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly path: string;
  readonly endpoint: RuntimeEndpoint;
  /** Request headers, lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received; above the size limit only the first bytes up to the limit are kept. */
  readonly body: Buffer;
  /** How many body bytes arrived in total (can exceed `body.length` after a 413). */
  readonly bodyLength: number;
  /** Arrival time (ms since epoch) and size of every body chunk, to observe streaming. */
  readonly bodyChunks: readonly { readonly at: number; readonly bytes: number }[];
  /** HTTP trailers (lower-case names), for streamed responses. */
  readonly trailers: Readonly<Record<string, string>>;
  /** Identifies the TCP connection; equal values mean one kept-alive socket served both requests. */
  readonly connectionId: number;
  /** When the request headers arrived (ms since epoch). */
  readonly receivedAt: number;
  /** When the emulator answered, `undefined` while pending (a parked `/next`). */
  readonly answeredAt: number | undefined;
  /**
   * The status the emulator answered with; `undefined` while pending, when the client went away or
   * when the emulator reset the connection on purpose (`resetNext`, `stopListening`).
   */
  readonly status: number | undefined;
  /** The decoded id from the path of `/response` and `/error`; for `/next`, the id it delivered. */
  readonly requestId?: string;
  /** The client broke the request off before the body was complete. */
  readonly aborted: boolean;
}

/** The emulator's writable view of a {@link RecordedRequest}. */
export type MutableRecordedRequest = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

interface Waiter {
  readonly predicate: (request: RecordedRequest) => boolean;
  readonly resolve: (request: RecordedRequest) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The ordered record of runtime requests plus waiters on it. A record becomes visible to waiters
 * once the emulator has processed it (answered it, or parked it for `/next`), so a waiter never sees
 * a half-read body.
 */
export class RequestLog {
  readonly #records: MutableRecordedRequest[] = [];
  readonly #visible = new WeakSet<RecordedRequest>();
  readonly #waiters = new Set<Waiter>();
  #closedWith: Error | undefined;

  get records(): readonly RecordedRequest[] {
    return this.#records;
  }

  /** Starts a record for a request whose headers just arrived. */
  add(
    init: Pick<RecordedRequest, 'method' | 'path' | 'endpoint' | 'headers' | 'connectionId'>,
  ): MutableRecordedRequest {
    const record: MutableRecordedRequest = {
      seq: this.#records.length + 1,
      ...init,
      body: Buffer.alloc(0),
      bodyLength: 0,
      bodyChunks: [],
      trailers: {},
      receivedAt: Date.now(),
      answeredAt: undefined,
      status: undefined,
      aborted: false,
    };
    this.#records.push(record);
    return record;
  }

  /** Makes a record visible to waiters (again): call after each change worth waiting for. */
  publish(record: RecordedRequest): void {
    this.#visible.add(record);
    for (const waiter of this.#waiters) {
      if (this.#matches(waiter, record)) {
        this.#settle(waiter);
        waiter.resolve(record);
      }
    }
  }

  /** Resolves with the first processed record matching `predicate`, looking at past records first. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    for (const record of this.#records) {
      if (this.#visible.has(record) && predicate(record)) return Promise.resolve(record);
    }
    return new Promise<RecordedRequest>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter);
          reject(new Error(`No matching Runtime API request arrived within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every waiter; later calls to {@link waitFor} reject at once. */
  close(error: Error): void {
    this.#closedWith = error;
    for (const waiter of this.#waiters) {
      this.#settle(waiter);
      waiter.reject(error);
    }
  }

  #matches(waiter: Waiter, record: RecordedRequest): boolean {
    try {
      return waiter.predicate(record);
    } catch (error) {
      // A throwing predicate is a test bug: surface it instead of waiting for the timeout.
      this.#settle(waiter);
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }

  #settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }
}
