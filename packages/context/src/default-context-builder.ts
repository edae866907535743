import {
  type ClientContext,
  type Clock,
  type CognitoIdentity,
  type ContextBuilder,
  type Invocation,
  type InvocationContext,
  type LambdaEnvironment,
  MalformedInvocationError,
  systemClock,
} from '@lambda-runtime/api';
import { DefaultInvocationContext, type FunctionMetadata } from './default-invocation-context.js';

/** What {@link DefaultContextBuilder} needs from the environment. */
export type ContextEnvironment = Pick<
  LambdaEnvironment,
  'functionName' | 'functionVersion' | 'memorySizeMb' | 'logGroupName' | 'logStreamName'
>;

const DEADLINE_HEADER = 'Lambda-Runtime-Deadline-Ms';
const CLIENT_CONTEXT_HEADER = 'Lambda-Runtime-Client-Context';
const COGNITO_IDENTITY_HEADER = 'Lambda-Runtime-Cognito-Identity';
const DIGITS = /^[0-9]+$/;
const MAX_QUOTED_VALUE = 100;

/**
 * Turns the headers of one invocation plus the function's environment into the handler's context,
 * shaped like the managed Node.js runtime's. Environment fields are computed once, here; `build`
 * only parses the deadline and, when present, the client context and identity JSON.
 *
 * @example
 * ```ts
 * const builder = new DefaultContextBuilder(new ProcessEnvironmentReader().read());
 * const context = builder.build(invocation); // throws MalformedInvocationError on a bad header
 * context.getRemainingTimeInMillis();
 * ```
 */
export class DefaultContextBuilder implements ContextBuilder<InvocationContext> {
  readonly #metadata: FunctionMetadata;
  readonly #clock: Clock;

  /**
   * @param environment - the function's reserved environment, read once at start.
   * @param clock - the time source behind `getRemainingTimeInMillis()`; swap it in tests.
   */
  constructor(environment: ContextEnvironment, clock: Clock = systemClock) {
    this.#metadata = {
      functionName: environment.functionName,
      functionVersion: environment.functionVersion,
      memoryLimitInMB: String(environment.memorySizeMb),
      // SnapStart leaves these unset; the managed runtime exposes them as empty strings then.
      logGroupName: environment.logGroupName ?? '',
      logStreamName: environment.logStreamName ?? '',
    };
    this.#clock = clock;
  }

  /**
   * Builds the context of one invocation.
   *
   * @throws {@link MalformedInvocationError} when the deadline is missing or not epoch milliseconds,
   * or when the client context or identity is not a JSON object.
   */
  build(invocation: Invocation): InvocationContext {
    return new DefaultInvocationContext(
      this.#metadata,
      this.#clock,
      invocation.requestId,
      invocation.invokedFunctionArn ?? '',
      parseDeadline(invocation.deadlineMs),
      // `||` rather than `??`: an empty header means absent (protocol reference §1.5), even if a
      // caller other than the loop forgot to normalise it.
      invocation.traceId || undefined,
      parseJsonObject<ClientContext>(invocation.clientContext, CLIENT_CONTEXT_HEADER),
      parseJsonObject<CognitoIdentity>(invocation.cognitoIdentity, COGNITO_IDENTITY_HEADER),
      invocation.tenantId || undefined,
    );
  }
}

function parseDeadline(raw: string | undefined): number {
  if (raw === undefined || raw === '') {
    throw new MalformedInvocationError(`Missing ${DEADLINE_HEADER} header`);
  }
  // Digits only: Number() alone would accept '1e3', '0x10', ' 5 ' and '1.5'.
  const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new MalformedInvocationError(
      `Invalid ${DEADLINE_HEADER} header ${quote(raw)}: expected epoch milliseconds as a non-negative safe integer`,
    );
  }
  return value;
}

function parseJsonObject<T>(raw: string | undefined, header: string): T | undefined {
  if (raw === undefined || raw === '') {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    // The parser's message, not the header value: client context can carry user data.
    throw new MalformedInvocationError(`Invalid ${header} header: not valid JSON (${messageOf(error)})`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedInvocationError(
      `Invalid ${header} header: expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`,
    );
  }
  return value as T;
}

function quote(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED_VALUE ? `${value.slice(0, MAX_QUOTED_VALUE)}…` : value);
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_QUOTED_VALUE ? `${message.slice(0, MAX_QUOTED_VALUE)}…` : message;
}
