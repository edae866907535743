import { describe, expect, it } from 'vitest';
import { streamingContractChecks, streamingDeclaration } from './streaming-contract-checks.js';
import {
  type ContractTransportFactory,
  type TransportContractOptions,
  transportContractChecks,
} from './transport-contract-checks.js';

/**
 * Registers a vitest `describe` block that runs every {@link transportContractChecks} check
 * against a transport: one kept-alive connection, no client timeout on long polls, paths sent
 * unchanged, byte-exact bodies, lower-cased headers, every status returned, connection failures
 * as `TransportError`, recovery after resets, and a `close()` that releases the socket; then the
 * streaming checks of `openStream` (items 32-37, 39), or, with `{ streaming: false }`, only that the
 * transport has no `openStream` (item 39). Each check
 * starts its own `node:http` server on 127.0.0.1 (port 0) and stops it afterwards.
 *
 * @param name - Shown in the `describe` title, e.g. `UndiciTransport`.
 * @param createTransport - Builds a fresh transport for the test server's origin.
 * @param options - `longPollMs` for the item 7 check; `streaming: false` declares a transport that
 * cannot stream (item 39).
 * @example
 * ```ts
 * // test/undici-transport.contract.test.ts
 * import { describeTransportContract } from '@lambda-runtime/transport-contract';
 * import { UndiciTransport } from '../src/undici-transport.js';
 *
 * describeTransportContract('UndiciTransport', (origin) => new UndiciTransport({ origin }));
 * ```
 */
export function describeTransportContract(
  name: string,
  createTransport: ContractTransportFactory,
  options: TransportContractOptions = {},
): void {
  describe(`${name} (transport contract)`, () => {
    for (const check of Object.values(transportContractChecks)) {
      // The checks assert with node:assert so they also run outside vitest; here a check that
      // throws fails the test through a counted vitest assertion.
      it(check.title, { timeout: check.timeoutMs(options) }, async () => {
        await expect(check.run(createTransport, options)).resolves.toBeUndefined();
      });
    }
    describe('streaming (openStream)', () => {
      const checks =
        options.streaming === false
          ? [streamingDeclaration]
          : [streamingDeclaration, ...Object.values(streamingContractChecks)];
      for (const check of checks) {
        it(check.title, { timeout: check.timeoutMs(options) }, async () => {
          await expect(check.run(createTransport, options)).resolves.toBeUndefined();
        });
      }
    });
  });
}
