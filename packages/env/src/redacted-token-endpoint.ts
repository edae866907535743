import type { TokenEndpoint } from '@lambda-runtime/api';
import { INSPECT_CUSTOM, type InspectFunction, inspectAs } from './inspect-as.js';
import { REDACTED } from './secret-variable-names.js';

/** The JSON and inspection view of {@link RedactedTokenEndpoint}. */
export interface RedactedTokenEndpointView {
  readonly address: string;
  readonly token: string | undefined;
}

/**
 * An endpoint and its access token (SnapStart container credentials, the metadata API). The token
 * lives in a private field: readable as a property, never enumerated, stringified or inspected.
 *
 * @example
 * ```ts
 * const endpoint = new RedactedTokenEndpoint('http://127.0.0.1:9001/2021-04-23/credentials', 'secret');
 * endpoint.token;            // 'secret'
 * JSON.stringify(endpoint);  // {"address":"http://127.0.0.1:9001/2021-04-23/credentials","token":"[redacted]"}
 * ```
 */
export class RedactedTokenEndpoint implements TokenEndpoint {
  readonly address: string;
  readonly #token: string | undefined;

  constructor(address: string, token: string | undefined) {
    this.address = address;
    this.#token = token;
    Object.freeze(this);
  }

  get token(): string | undefined {
    // A prototype copy has no private field: it reads as redacted instead of throwing.
    return #token in this ? this.#token : REDACTED;
  }

  /** The view `JSON.stringify` uses: the token replaced by `[redacted]`. */
  toJSON(): RedactedTokenEndpointView {
    return redactedEndpointView(this);
  }

  toString(): string {
    return `TokenEndpoint(address=${this.address}, token=${#token in this && this.#token === undefined ? 'none' : REDACTED})`;
  }

  [INSPECT_CUSTOM](_depth: number, options: object, inspect: InspectFunction): string {
    return inspectAs('TokenEndpoint', this.toJSON(), options, inspect);
  }
}

/** The redacted view of any {@link TokenEndpoint}: the contract does not oblige it to redact itself. */
export function redactedEndpointView(endpoint: TokenEndpoint): RedactedTokenEndpointView {
  return { address: endpoint.address, token: endpoint.token === undefined ? undefined : REDACTED };
}
