import { type LogFormat, type Logger, runInInvocation } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { DeferredLogger } from '../src/deferred-logger.js';
import { REDACT_PATHS } from '../src/redact-paths.js';
import { CollectingDestination, contextFor } from './helpers.js';

const TIME = Date.parse('2026-01-05T10:00:00.000Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const redact = (line: string): string => line.replaceAll(SECRET, '[redacted]');

/** The same calls, made on any logger. */
function logSome(logger: Logger, error: Error): void {
  logger.info('plain');
  logger.warn({ orderId: 42 }, 'stored %s', 'order');
  logger.error(error);
  logger.child({ component: 'cache' }).debug({ key: SECRET, password: 'p' }, `multi\nline ${SECRET}`);
  runInInvocation(contextFor('req-1', 'tenant-a'), () => logger.info('in an invocation'));
}

describe('DeferredLogger', () => {
  it.each<LogFormat>(['JSON', 'Text'])(
    'writes each line before the call returns, exactly as pino would, when pino is not loaded (%s)',
    (format) => {
      const options = {
        format,
        level: 'DEBUG',
        redact,
        redactPaths: REDACT_PATHS,
        clock: () => TIME,
      } as const;
      const early = new CollectingDestination();
      const pino = new CollectingDestination();
      const error = new TypeError('bad');

      const logger = new DeferredLogger({ ...options, destination: early });
      logger.info('first');
      const afterFirstCall = early.chunks.length;
      logSome(logger, error);
      const reference = createLogger({ ...options, destination: pino });
      reference.info('first');
      logSome(reference as unknown as Logger, error);

      expect(afterFirstCall).toBe(1);
      expect(early.chunks).toEqual(pino.chunks);
      expect(early.chunks.join('')).not.toContain(SECRET);
      expect(early.chunks).toHaveLength(6);
    },
  );

  it('drops lines below the level when pino is not loaded', () => {
    const destination = new CollectingDestination();
    const logger = new DeferredLogger({ format: 'JSON', level: 'WARN', destination });

    logger.info('dropped');
    logger.error('kept');

    expect(destination.records().map((record) => record.message)).toEqual(['kept']);
    expect(logger.isLevelEnabled('info')).toBe(false);
    expect(logger.isLevelEnabled('warn')).toBe(true);
  });

  it('writes nothing more when settling, and goes on writing through pino when settled', async () => {
    const destination = new CollectingDestination();
    const logger = new DeferredLogger({ format: 'JSON', destination });
    const child = logger.child({ component: 'early' });
    logger.info('before');

    await logger.settle();
    const afterSettle = destination.chunks.length;
    child.info('child after');
    logger.info('after');
    const lateChild = logger.child({ component: 'late' });

    expect(afterSettle).toBe(1);
    expect(destination.records().map((record) => [record.message, record.component])).toEqual([
      ['before', undefined],
      ['child after', 'early'],
      ['after', undefined],
    ]);
    // A pino child: the logger handed over.
    expect(typeof (lateChild as { bindings?: unknown }).bindings).toBe('function');
  });

  it('loads pino once when settled more than once', async () => {
    const logger = new DeferredLogger({ destination: new CollectingDestination() });

    const first = logger.settle();
    const second = logger.settle();
    await first;

    expect(second).toBe(first);
  });
});
