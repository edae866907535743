import { afterEach } from 'vitest';

/** A contract server as {@link useContractServer} drives it. */
export interface ListeningContractServer {
  readonly origin: string;
  listen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * For a transport's own tests: returns a `start(...args)` that builds a server with
 * `createServer(...args)`, listens, and builds a transport for its origin; registers an `afterEach`
 * (in the calling `describe`) that closes the transport, then the server, of the test that started
 * them.
 *
 * @param createServer - Builds a server, e.g. `() => new StreamingContractServer()`.
 * @param createTransport - Builds the transport under test for the server's origin.
 * @example
 * ```ts
 * describe('GotRequestStream', () => {
 *   const start = useContractServer(
 *     () => new StreamingContractServer(),
 *     (origin) => new GotTransport({ origin }),
 *   );
 *
 *   it('streams', async () => {
 *     const { server, transport } = await start();
 *     // ...
 *   });
 * });
 * ```
 */
export function useContractServer<
  Args extends unknown[],
  Server extends ListeningContractServer,
  Transport extends { close(): Promise<void> },
>(
  createServer: (...args: Args) => Server,
  createTransport: (origin: string) => Transport,
): (...args: Args) => Promise<{ server: Server; transport: Transport }> {
  let server: Server | undefined;
  let transport: Transport | undefined;

  afterEach(async () => {
    await transport?.close();
    await server?.close();
    transport = undefined;
    server = undefined;
  });

  return async (...args) => {
    server = createServer(...args);
    await server.listen();
    transport = createTransport(server.origin);
    return { server, transport };
  };
}
