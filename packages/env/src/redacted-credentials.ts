import type { Credentials } from '@lambda-runtime/api';
import { INSPECT_CUSTOM, type InspectFunction, inspectAs } from './inspect-as.js';
import { REDACTED } from './secret-variable-names.js';

/** The JSON and inspection view of {@link RedactedCredentials}. */
export interface RedactedCredentialsView {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

/**
 * Execution-role credentials whose secret parts live in private fields: they are readable as
 * properties but never enumerated, stringified, serialized or inspected.
 *
 * @example
 * ```ts
 * const credentials = new RedactedCredentials('AKIDEXAMPLE', 'wJalr...', 'IQoJ...');
 * credentials.secretAccessKey; // 'wJalr...'
 * JSON.stringify(credentials); // {"accessKeyId":"AKIDEXAMPLE","secretAccessKey":"[redacted]","sessionToken":"[redacted]"}
 * ```
 */
export class RedactedCredentials implements Credentials {
  readonly accessKeyId: string;
  readonly #secretAccessKey: string;
  readonly #sessionToken: string | undefined;

  constructor(accessKeyId: string, secretAccessKey: string, sessionToken: string | undefined) {
    this.accessKeyId = accessKeyId;
    this.#secretAccessKey = secretAccessKey;
    this.#sessionToken = sessionToken;
    Object.freeze(this);
  }

  // A copy made with this prototype (as some log redaction libraries do) has no private fields:
  // it reads as redacted instead of throwing.
  get secretAccessKey(): string {
    return #secretAccessKey in this ? this.#secretAccessKey : REDACTED;
  }

  get sessionToken(): string | undefined {
    return #sessionToken in this ? this.#sessionToken : REDACTED;
  }

  /** The view `JSON.stringify` uses: secrets replaced by `[redacted]`. */
  toJSON(): RedactedCredentialsView {
    return {
      accessKeyId: this.accessKeyId,
      secretAccessKey: REDACTED,
      sessionToken: #sessionToken in this && this.#sessionToken === undefined ? undefined : REDACTED,
    };
  }

  toString(): string {
    const session =
      #sessionToken in this && this.#sessionToken === undefined ? '' : `, sessionToken=${REDACTED}`;
    return `Credentials(accessKeyId=${this.accessKeyId}, secretAccessKey=${REDACTED}${session})`;
  }

  [INSPECT_CUSTOM](_depth: number, options: object, inspect: InspectFunction): string {
    return inspectAs('Credentials', this.toJSON(), options, inspect);
  }
}
