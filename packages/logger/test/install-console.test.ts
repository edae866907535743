/* biome-ignore-all lint/suspicious/noConsole: these tests exercise the console routing itself */
import { runInInvocation } from '@lambda-runtime/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { installConsole } from '../src/install-console.js';
import { CollectingDestination, contextFor } from './helpers.js';

const METHODS = [
  'log',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'dir',
  'dirxml',
  'table',
  'assert',
  'count',
  'countReset',
  'group',
  'groupCollapsed',
  'groupEnd',
  'time',
  'timeEnd',
  'timeLog',
] as const;
const saved = METHODS.map((method) => [method, console[method]] as const);
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
  // Even if a test's own restore is broken, later tests must see the real console.
  for (const [method, original] of saved) (console as unknown as Record<string, unknown>)[method] = original;
});

describe('installConsole', () => {
  it('item 43: routes each console method to its level with the request id when called in an invocation', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ format: 'JSON', level: 'TRACE', destination }));

    runInInvocation(contextFor('req-1'), () => {
      console.log('log');
      console.info('info');
      console.warn('warn');
      console.error('error');
      console.debug('debug');
      console.trace('trace');
    });

    expect(destination.records().map((r) => [r.level, r.message, r.requestId])).toEqual([
      ['INFO', 'log', 'req-1'],
      ['INFO', 'info', 'req-1'],
      ['WARN', 'warn', 'req-1'],
      ['ERROR', 'error', 'req-1'],
      ['DEBUG', 'debug', 'req-1'],
      ['TRACE', 'trace', 'req-1'],
    ]);
  });

  it('formats arguments like util.format when given a format string and values', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ format: 'JSON', destination }));

    console.log('user %s has %d items (%i%%)', 'ada', 3.5, 42.9, { extra: [1] });
    console.log({ a: 1 }, 'plain', 7);
    console.log('%s literal %o kept', 'x');

    expect(destination.records().map((r) => r.message)).toEqual([
      'user ada has 3.5 items (42%) { extra: [ 1 ] }',
      '{ a: 1 } plain 7',
      'x literal %o kept',
    ]);
  });

  it('item 52: writes a multi-line console message as one Text record when the format is Text', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ destination }));

    runInInvocation(contextFor('req-1'), () => console.error(new Error('boom')));

    const line = destination.chunks[0] ?? '';
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).toMatch(/^\S+\treq-1\tERROR\tError: boom\r {4}at /);
  });

  it('drops console lines below the logger level when the level is higher', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ format: 'JSON', level: 'WARN', destination }));

    console.log('info');
    console.debug('debug');
    console.warn('warn');

    expect(destination.records().map((r) => r.message)).toEqual(['warn']);
  });

  it('puts the original methods back when the returned function is called', () => {
    const destination = new CollectingDestination();
    const captured: unknown[][] = [];
    const fake = (...args: unknown[]) => captured.push(args);
    console.log = fake;
    const undo = installConsole(createLogger({ format: 'JSON', destination }));

    console.log('routed');
    undo();
    console.log('direct');
    undo();

    expect(console.log).toBe(fake);
    for (const [method, original] of saved.filter(([m]) => m !== 'log'))
      expect(console[method]).toBe(original);
    expect(destination.records().map((r) => r.message)).toEqual(['routed']);
    expect(captured).toEqual([['direct']]);
  });

  it('logs a console call the destination makes while writing right after the line, and stops after 100 of them', () => {
    const written: string[] = [];
    const destination = {
      write(chunk: string) {
        written.push(chunk);
        console.log('destination saw', chunk.length);
      },
    };
    restore = installConsole(createLogger({ format: 'JSON', destination }));

    console.log('once');

    const messages = written.map((chunk) => (JSON.parse(chunk) as { message: string }).message);
    expect(messages[0]).toBe('once');
    expect(messages[1]).toBe(`destination saw ${written[0]?.length}`);
    expect(messages).toHaveLength(101);
  });

  it('item 43: routes every other console method through the logger at its level, with the request id', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ format: 'JSON', level: 'TRACE', destination }));

    runInInvocation(contextFor('req-1'), () => {
      console.dir({ a: { b: { c: 1 } } }, { depth: 0 });
      console.dirxml('xml', 1);
      console.table([{ id: 1 }]);
      console.assert(1 + 1 === 3, 'math is %s', 'broken');
      console.assert(true, 'not written');
      console.count('hits');
      console.count('hits');
      console.countReset('hits');
      console.count('hits');
      console.group('outer');
      console.log('inside\ntwo lines');
      console.groupCollapsed();
      console.info('deeper');
      console.groupEnd();
      console.groupEnd();
      console.log('outside');
      console.time('t');
      console.timeLog('t', 'extra');
      console.timeEnd('t');
    });

    const records = destination.records();
    expect(records.every((r) => r.requestId === 'req-1')).toBe(true);
    expect(records.map((r) => [r.level, String(r.message).replace(/\d+(\.\d+)?m?s/, 'T')])).toEqual([
      ['INFO', '{ a: [Object] }'],
      ['INFO', 'xml 1'],
      ['INFO', expect.stringMatching(/^┌─+┬────┐\n│ \(index\) │ id │/)],
      ['WARN', 'Assertion failed: math is broken'],
      ['INFO', 'hits: 1'],
      ['INFO', 'hits: 2'],
      ['INFO', 'hits: 1'],
      ['INFO', 'outer'],
      ['INFO', '  inside\n  two lines'],
      ['INFO', '    deeper'],
      ['INFO', 'outside'],
      ['INFO', 't: T extra'],
      ['INFO', 't: T'],
    ]);
  });

  it('keeps counters and groups but writes nothing when their level is off', () => {
    const destination = new CollectingDestination();
    restore = installConsole(createLogger({ format: 'JSON', level: 'WARN', destination }));

    console.count('c');
    console.group('g');
    console.dir({ hidden: true });
    console.warn('after');

    expect(destination.records().map((r) => r.message)).toEqual(['  after']);
  });

  it('redacts console.dir and a console call made inside a util.inspect.custom hook', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const destination = new CollectingDestination();
    const redact = (line: string) => line.replaceAll(secret, '[redacted]');
    restore = installConsole(createLogger({ format: 'JSON', destination, redact }));
    const sneaky = {
      [Symbol.for('nodejs.util.inspect.custom')]() {
        console.log('from the hook', { secret });
        return 'sneaky';
      },
    };

    console.dir({ secret });
    console.log(sneaky);

    const text = destination.chunks.join('');
    expect(text).not.toContain(secret);
    expect(destination.records().map((r) => r.message)).toEqual([
      "{ secret: '[redacted]' }",
      "from the hook { secret: '[redacted]' }",
      'sneaky',
    ]);
  });
});
