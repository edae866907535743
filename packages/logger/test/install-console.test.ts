/* biome-ignore-all lint/suspicious/noConsole: these tests exercise the console routing itself */
import { runInInvocation } from '@lambda-runtime/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { installConsole } from '../src/install-console.js';
import { CollectingDestination, contextFor } from './helpers.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const saved = METHODS.map((method) => [method, console[method]] as const);
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
  // Even if a test's own restore is broken, later tests must see the real console.
  for (const [method, original] of saved) console[method] = original;
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

  it('sends the nested call to the original method when the destination itself writes to the console', () => {
    const captured: unknown[][] = [];
    console.log = (...args: unknown[]) => captured.push(args);
    const written: string[] = [];
    const destination = {
      write(chunk: string) {
        console.log('destination saw', chunk.length);
        written.push(chunk);
      },
    };
    restore = installConsole(createLogger({ format: 'JSON', destination }));

    console.log('once');

    expect(written).toHaveLength(1);
    expect(captured).toEqual([['destination saw', written[0]?.length]]);
  });
});
