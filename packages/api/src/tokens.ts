/**
 * Dependency-injection tokens, one per contract. `Symbol.for` keeps them identical when two
 * copies of this package are installed.
 */

/**
 * {@link TransportFactory}: the one token of the transport role. The runtime calls the factory once
 * with `http://${AWS_LAMBDA_RUNTIME_API}`, so swapping the transport is one registration of a
 * function, with no need to know the origin.
 *
 * @example
 * ```ts
 * container.register(TRANSPORT_FACTORY, { useValue: (origin) => new GotTransport({ origin }) });
 * ```
 */
export const TRANSPORT_FACTORY: unique symbol = Symbol.for('@lambda-runtime/TransportFactory');
/** {@link EnvironmentReader} */
export const ENVIRONMENT_READER: unique symbol = Symbol.for('@lambda-runtime/EnvironmentReader');
/** The validated {@link LambdaEnvironment}, read once. */
export const ENVIRONMENT: unique symbol = Symbol.for('@lambda-runtime/Environment');
/** {@link ContextBuilder} */
export const CONTEXT_BUILDER: unique symbol = Symbol.for('@lambda-runtime/ContextBuilder');
/** {@link PayloadCodec} */
export const PAYLOAD_CODEC: unique symbol = Symbol.for('@lambda-runtime/PayloadCodec');
/** {@link Logger} */
export const LOGGER: unique symbol = Symbol.for('@lambda-runtime/Logger');
/** {@link Clock} */
export const CLOCK: unique symbol = Symbol.for('@lambda-runtime/Clock');
/** {@link RuntimeLoop} */
export const RUNTIME_LOOP: unique symbol = Symbol.for('@lambda-runtime/RuntimeLoop');
