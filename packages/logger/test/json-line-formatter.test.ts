import { runInInvocation } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { JsonLineFormatter, type LevelMethod } from '../src/json-line-formatter.js';
import { REDACT_PATHS } from '../src/redact-paths.js';
import { CollectingDestination, contextFor } from './helpers.js';

const TIME = Date.parse('2026-01-05T10:00:00.000Z');

class CodedError extends Error {
  override readonly name = 'CodedError';
  readonly code = 'E_CODED';
}

function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'loop', count: 2n };
  value.self = value;
  return value;
}

function withCause(): Error {
  return new Error('outer', { cause: new TypeError('inner') });
}

function aggregate(): AggregateError {
  return new AggregateError([new Error('one'), new RangeError('two')], 'both failed');
}

/** Log calls as a handler writes them: every argument shape pino accepts. */
const CALLS: ReadonlyArray<readonly [string, LevelMethod, () => unknown[]]> = [
  ['a message', 'info', () => ['hello']],
  ['no arguments', 'info', () => []],
  [
    'printf arguments',
    'warn',
    () => ['user %s has %d items (%i%%) %f %j %o %O', 'ada', '3.5', 42.9, 1.5, { a: 1 }, 'q', [1]],
  ],
  ['too few arguments', 'info', () => ['%s and %s and %d', 'one']],
  ['too many arguments', 'info', () => ['just %s', 'one', 'two']],
  ['unknown and null specifiers', 'info', () => ['%x %s %d %s', 'eaten', null, 'kept']],
  ['a function argument', 'info', () => ['%o', function named() {}]],
  ['fields then a message', 'info', () => [{ orderId: 42, nested: { a: [1, 'b'] } }, 'stored']],
  ['fields only', 'debug', () => [{ orderId: 42 }]],
  ['fields with message args', 'info', () => [{ id: 1 }, 'id %s', 'x']],
  [
    'skipped values',
    'info',
    () => [{ u: undefined, f: () => 1, n: Number.NaN, i: Infinity, b: true, s: Symbol('x') }, 'm'],
  ],
  ['null first', 'info', () => [null]],
  ['null then message', 'info', () => [null, 'after null']],
  ['undefined first', 'info', () => [undefined, 'after undefined %s', 'x']],
  ['a number', 'info', () => [42]],
  ['an object message', 'info', () => [{ a: 1 }, { b: 2 }]],
  ['an object message with arguments', 'info', () => [{ a: 1 }, { b: 2 }, { c: 3 }]],
  ['an error', 'error', () => [new TypeError('bad type')]],
  ['an error and a message', 'error', () => [new CodedError('coded'), 'while saving']],
  ['an error field', 'error', () => [{ err: new RangeError('out of range') }]],
  ['an error field with a message field', 'error', () => [{ err: new Error('e'), message: 'own' }]],
  ['an error under error', 'error', () => [{ error: withCause() }, 'caused']],
  ['an aggregate error', 'fatal', () => [aggregate()]],
  ['a non-error err field', 'error', () => [{ err: 'just text' }, 'x']],
  ['a circular object with a BigInt', 'info', () => [{ data: circular() }, 'circular']],
  ['a toJSON field', 'info', () => [{ date: new Date(TIME), custom: { toJSON: () => 'custom' } }]],
  [
    'special characters',
    'info',
    () => [{ 'we"ird\nkey': 'tab\there' }, 'line\nbreak "quoted" \\ back \u0001'],
  ],
  ['a long message', 'trace', () => ['x'.repeat(300)]],
  ['a requestId field', 'info', () => [{ requestId: 'mine', other: 1 }, 'override']],
];

function pinoLine(method: LevelMethod, args: unknown[], options: Record<string, unknown> = {}): string {
  const destination = new CollectingDestination();
  const logger = createLogger({ format: 'JSON', level: 'TRACE', destination, clock: () => TIME, ...options });
  (logger[method] as (...a: unknown[]) => void)(...args);
  return destination.chunks.join('');
}

describe('JsonLineFormatter', () => {
  it.each(CALLS)('writes what pino writes when logging %s', (_name, method, args) => {
    const logged = args();
    const expected = pinoLine(method, logged);

    const actual = new JsonLineFormatter().format(method, logged, TIME);

    expect(actual).toBe(expected);
  });

  // pino's path censor copies a circular object once more before its fallback cuts it.
  const CENSORABLE = CALLS.filter(([name]) => name !== 'a circular object with a BigInt');

  it.each(CENSORABLE)(
    'writes what pino writes with censored paths when logging %s',
    (_name, method, args) => {
      const logged = args();
      const expected = pinoLine(method, logged, { redactPaths: REDACT_PATHS });

      const actual = new JsonLineFormatter({ redactPaths: REDACT_PATHS }).format(method, logged, TIME);

      expect(actual).toBe(expected);
    },
  );

  it('censors credential fields like pino when they are at the top level, one level down and in headers', () => {
    const args = (): unknown[] => [
      {
        password: 'p',
        credentials: { secretAccessKey: 's', sessionToken: 't', accessKeyId: 'AKIA' },
        request: { headers: { authorization: 'Bearer x', accept: '*/*' } },
        absent: { password: undefined },
      },
      'configured %j',
      { password: 'in the message' },
    ];
    const logged = args();
    const expected = pinoLine('info', logged, { redactPaths: REDACT_PATHS });

    const actual = new JsonLineFormatter({ redactPaths: REDACT_PATHS }).format('info', logged, TIME);

    expect(actual).toBe(expected);
    expect(actual).not.toMatch(/"s"|"t"|Bearer|"p"/);
  });

  it('writes the request id and tenant id like pino when logging inside an invocation', () => {
    const context = contextFor('req-1', 'tenant-a');
    const expected = runInInvocation(context, () => pinoLine('info', [{ a: 1 }, 'in']));

    const actual = runInInvocation(context, () =>
      new JsonLineFormatter().format('info', [{ a: 1 }, 'in'], TIME),
    );

    expect(actual).toBe(expected);
    expect(actual).toContain('"requestId":"req-1","tenantId":"tenant-a","a":1');
  });

  it('writes bindings and child bindings like pino when they are given', () => {
    const bindings = { service: 'orders', level: 'ignored', err: new Error('bound') };
    const destination = new CollectingDestination();
    const pino = createLogger({ format: 'JSON', destination, clock: () => TIME, bindings });
    pino.child({ component: 'cache', service: 'again' }).warn({ hit: false }, 'miss');

    const actual = new JsonLineFormatter({ bindings })
      .child({ component: 'cache', service: 'again' })
      .format('warn', [{ hit: false }, 'miss'], TIME);

    expect(actual).toBe(destination.chunks.join(''));
  });

  it('leaves the logged object unchanged when it censors a path', () => {
    const fields = { credentials: { secretAccessKey: 'secret' } };

    new JsonLineFormatter({ redactPaths: REDACT_PATHS }).format('info', [fields], TIME);

    expect(fields.credentials.secretAccessKey).toBe('secret');
  });
});
