import { RuntimeApiPath } from '@lambda-runtime/api';

/** A `/next` answer as the test (acting as the runtime) sees it. */
export interface NextAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly requestId: string;
}

/** A Runtime API answer to a POST. */
export interface PostAnswer {
  readonly status: number;
  readonly json: unknown;
}

/**
 * The test's side of the Runtime API, on plain fetch: the tests play the runtime without
 * depending on our runtime packages.
 */
export class RuntimeClient {
  readonly #origin: string;

  constructor(origin: string) {
    this.#origin = origin;
  }

  async next(): Promise<NextAnswer> {
    const response = await fetch(`${this.#origin}${RuntimeApiPath.next}`);
    const body = Buffer.from(await response.arrayBuffer());
    const headers = Object.fromEntries(response.headers.entries());
    return {
      status: response.status,
      headers,
      body,
      requestId: headers['lambda-runtime-aws-request-id'] ?? '',
    };
  }

  /** A `/next` left parked: its failure when the emulator closes is expected and swallowed. */
  park(): Promise<NextAnswer | undefined> {
    return this.next().catch(() => undefined);
  }

  respond(
    requestId: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<PostAnswer> {
    return this.post(RuntimeApiPath.response(requestId), body, headers);
  }

  fail(requestId: string, document: object, errorType?: string): Promise<PostAnswer> {
    return this.post(RuntimeApiPath.error(requestId), JSON.stringify(document), errorTypeHeaders(errorType));
  }

  initError(document: object, errorType?: string): Promise<PostAnswer> {
    return this.post(RuntimeApiPath.initError, JSON.stringify(document), errorTypeHeaders(errorType));
  }

  async post(
    path: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<PostAnswer> {
    const response = await fetch(`${this.#origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, json };
  }
}

function errorTypeHeaders(errorType: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (errorType !== undefined) headers['lambda-runtime-function-error-type'] = errorType;
  return headers;
}
