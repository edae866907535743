import type { Socket } from 'node:net';
import { type RawContractRequest, RawContractServer, rawResponse } from '@lambda-runtime/transport-contract';

/** One request as it arrived at the {@link HostileRuntimeApiServer}. */
export type HostileRequest = RawContractRequest;

/** Writes one answer to a `/next` (any bytes, any framing) on the socket that asked. */
export type NextAnswer = (socket: Socket, request: HostileRequest) => void;

/** Answers a POST; return `false` to let the server answer 202 as usual. */
export type PostHandler = (request: HostileRequest, socket: Socket) => boolean;

const NEXT_PATH = '/2018-06-01/runtime/invocation/next';
const ACCEPTED = Buffer.from(
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}',
  'latin1',
);

/**
 * A fake Runtime API on raw TCP (127.0.0.1, port 0) that misbehaves at the byte level on demand:
 * each `/next` is answered by the next scripted {@link NextAnswer} (parked until one is queued), and
 * posts are answered 202 unless a {@link PostHandler} takes them. Connections are kept alive and
 * never announce `Connection: close`.
 */
export class HostileRuntimeApiServer {
  onPost: PostHandler | undefined;
  readonly #answers: NextAnswer[] = [];
  readonly #parked: Array<{ socket: Socket; request: HostileRequest }> = [];
  // Reading requests off raw TCP is the contract suite's; answering them is this server's.
  readonly #raw = new RawContractServer((request, socket) => this.#answer(request, socket));

  /** Every request received, in arrival order. */
  get requests(): HostileRequest[] {
    return this.#raw.requests;
  }

  get runtimeApi(): string {
    return new URL(this.#raw.origin).host;
  }

  get connectionCount(): number {
    return this.#raw.connectionCount;
  }

  /** The `/next` polls received so far. */
  get polls(): HostileRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path === NEXT_PATH);
  }

  /** The posts received so far. */
  get posts(): HostileRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  async listen(): Promise<void> {
    await this.#raw.listen();
  }

  async close(): Promise<void> {
    await this.#raw.close();
  }

  /** Queues answers for the next `/next` polls (a parked poll is answered at once). */
  queue(...answers: NextAnswer[]): void {
    this.#answers.push(...answers);
    this.#serveParked();
  }

  /** The environment a runtime process needs to talk to this server. */
  environment(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_RUNTIME_API: this.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: 'hostile',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/hostile',
      AWS_LAMBDA_LOG_STREAM_NAME: 'stream',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      ...extra,
    };
  }

  #serveParked(): void {
    while (this.#answers.length > 0 && this.#parked.length > 0) {
      const parked = this.#parked.shift() as { socket: Socket; request: HostileRequest };
      // A poll parked on a connection the server has ended can no longer be answered.
      if (parked.socket.destroyed || !parked.socket.writable) continue;
      (this.#answers.shift() as NextAnswer)(parked.socket, parked.request);
    }
  }

  #answer(request: HostileRequest, socket: Socket): void {
    if (request.method === 'GET' && request.path === NEXT_PATH) {
      this.#parked.push({ socket, request });
      this.#serveParked();
    } else if (!(this.onPost?.(request, socket) ?? false)) {
      socket.write(ACCEPTED);
    }
  }
}

/** The bytes of a `/next` 200: `lines` are raw header lines (each ending with CRLF), in any bytes. */
export function nextBytes(lines: string | Buffer, body: string | Buffer = '{"hello":"world"}'): Buffer {
  // Header lines given as a string go out as UTF-8 (rawResponse would send them as Latin-1).
  return rawResponse(body, typeof lines === 'string' ? Buffer.from(lines, 'utf8') : lines);
}

/** The usual §3.1 lines for `requestId` (UTF-8 allowed), with a deadline far ahead. */
export function invocationLines(requestId: string, extra = ''): string {
  return (
    `Lambda-Runtime-Aws-Request-Id: ${requestId}\r\n` +
    `Lambda-Runtime-Deadline-Ms: ${Date.now() + 600_000}\r\n` +
    'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:hostile\r\n' +
    extra
  );
}

/** A `/next` answer that writes `bytes`. */
export function answerWith(bytes: Buffer | string): NextAnswer {
  return (socket) => socket.write(bytes);
}

/** A well-formed invocation with a JSON event. */
export function invocation(requestId: string, event: unknown = { hello: 'world' }, extra = ''): NextAnswer {
  return answerWith(nextBytes(invocationLines(requestId, extra), JSON.stringify(event)));
}

/** The path of the `/response` post for `requestId`, percent-encoded once from its UTF-8 bytes. */
export function responsePath(requestId: string): string {
  return `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/response`;
}

/** The path of the `/error` post for `requestId`. */
export function errorPath(requestId: string): string {
  return `/2018-06-01/runtime/invocation/${encodeURIComponent(requestId)}/error`;
}
