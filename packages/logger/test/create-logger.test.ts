import { type LogFormat, type LogLevel, runInInvocation } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { REDACT_PATHS } from '../src/redact-paths.js';
import { CollectingDestination, contextFor, gate, RFC3339_UTC_MS } from './helpers.js';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const METHODS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const TEXT_LINE = /^(\S+)\t([^\t]+)\t([A-Z]+)\t(.*)\n$/;

function jsonLogger(level?: LogLevel, redactPaths?: readonly string[]) {
  const destination = new CollectingDestination();
  const logger = createLogger({
    format: 'JSON',
    destination,
    ...(level ? { level } : {}),
    ...(redactPaths ? { redactPaths } : {}),
  });
  return { logger, destination };
}

function textLogger(redactPaths?: readonly string[]) {
  const destination = new CollectingDestination();
  const logger = createLogger({ format: 'Text', destination, ...(redactPaths ? { redactPaths } : {}) });
  return { logger, destination };
}

describe('createLogger', () => {
  describe('JSON format', () => {
    it('item 51: writes timestamp, level, requestId and message when logging inside an invocation', () => {
      const { logger, destination } = jsonLogger();
      const before = Date.now();

      runInInvocation(contextFor('req-1'), () => logger.info('hello'));

      const after = Date.now();
      expect(destination.chunks).toHaveLength(1);
      expect(destination.chunks[0]?.endsWith('\n')).toBe(true);
      const [record] = destination.records();
      expect(Object.keys(record ?? {}).sort()).toEqual(['level', 'message', 'requestId', 'timestamp']);
      expect(record).toMatchObject({ level: 'INFO', requestId: 'req-1', message: 'hello' });
      const timestamp = String(record?.timestamp);
      expect(timestamp).toMatch(RFC3339_UTC_MS);
      expect(Date.parse(timestamp)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(timestamp)).toBeLessThanOrEqual(after);
    });

    it('writes no requestId, pid or hostname when logging outside an invocation', () => {
      const { logger, destination } = jsonLogger();

      logger.info('during init');

      expect(destination.records()[0]).toEqual({
        level: 'INFO',
        timestamp: expect.stringMatching(RFC3339_UTC_MS),
        message: 'during init',
      });
    });

    it('adds tenantId when the invocation has one', () => {
      const { logger, destination } = jsonLogger();

      runInInvocation(contextFor('req-1', 'tenant-a'), () => logger.info('hi'));
      runInInvocation(contextFor('req-2'), () => logger.info('hi'));

      const [withTenant, withoutTenant] = destination.records();
      expect(withTenant).toMatchObject({ requestId: 'req-1', tenantId: 'tenant-a' });
      expect(withoutTenant).not.toHaveProperty('tenantId');
    });

    it('writes passed fields, bindings and child bindings when given', () => {
      const destination = new CollectingDestination();
      const logger = createLogger({ format: 'JSON', destination, bindings: { service: 'orders' } });

      logger.child({ component: 'cache' }).warn({ orderId: 42 }, 'slow %s', 'lookup');

      expect(destination.records()[0]).toMatchObject({
        level: 'WARN',
        service: 'orders',
        component: 'cache',
        orderId: 42,
        message: 'slow lookup',
      });
    });

    it('serializes errors with type, message and stack when passed first or as err/error fields', () => {
      const { logger, destination } = jsonLogger();
      const error = new TypeError('bad input');

      logger.error(error);
      logger.error({ err: error }, 'failed');
      logger.error({ error }, 'failed');

      const [first, second, third] = destination.records();
      const serialized = { type: 'TypeError', message: 'bad input', stack: error.stack };
      expect(first).toMatchObject({ level: 'ERROR', message: 'bad input', err: serialized });
      expect(second).toMatchObject({ message: 'failed', err: serialized });
      expect(third).toMatchObject({ message: 'failed', error: serialized });
    });

    it('reads the format case-insensitively when given lower-case json', () => {
      const destination = new CollectingDestination();
      const logger = createLogger({ format: 'json' as LogFormat, destination });

      logger.info('x');

      expect(destination.records()[0]).toMatchObject({ level: 'INFO', message: 'x' });
    });
  });

  describe('levels', () => {
    it.each(LEVELS)('item 51: writes only lines at or above %s when that is the level', (level) => {
      const { logger, destination } = jsonLogger(level);

      for (const method of METHODS) logger[method](`at ${method}`);

      const expected = LEVELS.slice(LEVELS.indexOf(level));
      expect(destination.records().map((record) => record.level)).toEqual(expected);
    });

    it('defaults to INFO when no level is given', () => {
      const { logger, destination } = jsonLogger();

      for (const method of METHODS) logger[method]('x');

      expect(destination.records().map((record) => record.level)).toEqual(['INFO', 'WARN', 'ERROR', 'FATAL']);
    });
  });

  describe('Text format', () => {
    it('item 51: writes time, request id, level and message separated by tabs when inside an invocation', () => {
      const { logger, destination } = textLogger();

      runInInvocation(contextFor('req-1'), () => logger.warn('disk %d%% full', 91));

      const match = TEXT_LINE.exec(destination.chunks[0] ?? '');
      expect(match?.slice(2)).toEqual(['req-1', 'WARN', 'disk 91% full']);
      expect(match?.[1]).toMatch(RFC3339_UTC_MS);
    });

    it('writes undefined as the request id when outside an invocation', () => {
      const { logger, destination } = textLogger();

      logger.info('init');

      expect(TEXT_LINE.exec(destination.chunks[0] ?? '')?.slice(2)).toEqual(['undefined', 'INFO', 'init']);
    });

    it('appends other fields as compact JSON when fields are passed', () => {
      const destination = new CollectingDestination();
      const logger = createLogger({ destination, bindings: { service: 'orders' } });

      runInInvocation(contextFor('req-1', 'tenant-a'), () => logger.info({ orderId: 42 }, 'stored'));
      logger.info({ only: true });

      expect(TEXT_LINE.exec(destination.chunks[0] ?? '')?.slice(2)).toEqual([
        'req-1',
        'INFO',
        'stored {"service":"orders","tenantId":"tenant-a","orderId":42}',
      ]);
      expect(TEXT_LINE.exec(destination.chunks[1] ?? '')?.[4]).toBe('{"service":"orders","only":true}');
    });

    it('is the default format when none is given', () => {
      const destination = new CollectingDestination();
      const logger = createLogger({ destination });

      logger.error('x');

      expect(destination.chunks[0]).toMatch(TEXT_LINE);
    });
  });

  describe('multi-line messages', () => {
    it('item 52: keeps one record with \\r in place of \\n when the format is Text', () => {
      const { logger, destination } = textLogger();

      logger.error({ err: new Error('boom') }, 'first\nsecond\nthird');

      const line = destination.chunks[0] ?? '';
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(line).toContain('\tERROR\tfirst\rsecond\rthird {"err":{"type":"Error","message":"boom"');
    });

    it('item 52: keeps one record with the newline JSON-escaped when the format is JSON', () => {
      const { logger, destination } = jsonLogger();

      logger.info('first\nsecond');

      const line = destination.chunks[0] ?? '';
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(line).toContain('"message":"first\\nsecond"');
      expect(destination.records()[0]?.message).toBe('first\nsecond');
    });
  });

  describe('request id scope', () => {
    it('item 43: keeps each invocation id on its lines across awaits when two invocations interleave', async () => {
      const { logger, destination } = jsonLogger();
      const aStarted = gate();
      const bStarted = gate();
      const aResumed = gate();

      const a = runInInvocation(contextFor('req-a', 'tenant-a'), async () => {
        logger.info('a1');
        aStarted.open();
        await bStarted.promise;
        logger.info('a2');
        aResumed.open();
        await new Promise((resolve) => setTimeout(resolve, 1));
        logger.info('a3');
      });
      const b = runInInvocation(contextFor('req-b'), async () => {
        await aStarted.promise;
        logger.info('b1');
        bStarted.open();
        await aResumed.promise;
        logger.info('b2');
      });
      await Promise.all([a, b]);
      logger.info('after');

      const lines = destination.records().map((r) => [r.message, r.requestId, r.tenantId]);
      expect(lines).toEqual([
        ['a1', 'req-a', 'tenant-a'],
        ['b1', 'req-b', undefined],
        ['a2', 'req-a', 'tenant-a'],
        ['b2', 'req-b', undefined],
        ['a3', 'req-a', 'tenant-a'],
        ['after', undefined, undefined],
      ]);
    });

    it('item 43: carries the request id on child logger lines created before the invocation', async () => {
      const destination = new CollectingDestination();
      const child = createLogger({ destination }).child({ component: 'db' });

      await runInInvocation(contextFor('req-9'), async () => {
        await Promise.resolve();
        child.info('query');
      });

      expect(TEXT_LINE.exec(destination.chunks[0] ?? '')?.slice(2)).toEqual([
        'req-9',
        'INFO',
        'query {"component":"db"}',
      ]);
    });
  });

  describe('redaction', () => {
    it('replaces secret values anywhere in a line with the redact option', () => {
      const destination = new CollectingDestination();
      const logger = createLogger({
        format: 'JSON',
        destination,
        redact: (line) => line.replaceAll('s3cr3t-value', '[redacted]'),
      });

      logger.info({ deep: { deeper: { token: 's3cr3t-value' } } }, 'value s3cr3t-value in the message');

      expect(destination.chunks[0]).not.toContain('s3cr3t-value');
      expect(destination.records()[0]).toMatchObject({
        deep: { deeper: { token: '[redacted]' } },
        message: 'value [redacted] in the message',
      });
    });

    it('censors credential fields by name with redactPaths: REDACT_PATHS (top level or one level down)', () => {
      const { logger, destination } = jsonLogger(undefined, REDACT_PATHS);

      logger.info(
        {
          AWS_SECRET_ACCESS_KEY: 'top-secret',
          AWS_SESSION_TOKEN: 'top-token',
          credentials: {
            accessKeyId: 'AKIAEXAMPLE',
            secretAccessKey: 'nested-secret',
            sessionToken: 'nested-token',
          },
          env: { AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_REGION: 'eu-west-1' },
          authorization: 'Bearer top',
          request: { headers: { authorization: 'Bearer nested' } },
        },
        'configured',
      );

      const line = destination.chunks[0] ?? '';
      for (const secret of [
        'top-secret',
        'top-token',
        'nested-secret',
        'nested-token',
        'env-secret',
        'Bearer',
      ]) {
        expect(line).not.toContain(secret);
      }
      expect(destination.records()[0]).toMatchObject({
        AWS_SECRET_ACCESS_KEY: '[Redacted]',
        credentials: {
          accessKeyId: 'AKIAEXAMPLE',
          secretAccessKey: '[Redacted]',
          sessionToken: '[Redacted]',
        },
        env: { AWS_SECRET_ACCESS_KEY: '[Redacted]', AWS_REGION: 'eu-west-1' },
        request: { headers: { authorization: '[Redacted]' } },
      });
    });

    it('censors credential fields by name when the format is Text', () => {
      const { logger, destination } = textLogger(REDACT_PATHS);

      logger.info({ credentials: { secretAccessKey: 'nested-secret' } }, 'configured');

      expect(destination.chunks[0]).toContain('configured {"credentials":{"secretAccessKey":"[Redacted]"}}');
    });

    it('leaves the original object untouched when a field is censored', () => {
      const { logger } = jsonLogger(undefined, REDACT_PATHS);
      const credentials = { secretAccessKey: 'kept' };

      logger.info({ credentials }, 'x');

      expect(credentials.secretAccessKey).toBe('kept');
    });
  });

  describe('flush', () => {
    it('returns without throwing when the destination has no flush', () => {
      const { logger } = textLogger();

      expect(() => logger.flush()).not.toThrow();
    });

    it('flushes the destination when the Text format wraps one that can flush', () => {
      let flushed = 0;
      const destination = {
        write: () => {},
        flush: (callback: () => void) => {
          flushed += 1;
          callback();
        },
      };
      const logger = createLogger({ destination });
      let called = false;

      logger.flush(() => {
        called = true;
      });

      expect(flushed).toBe(1);
      expect(called).toBe(true);
    });
  });
});
