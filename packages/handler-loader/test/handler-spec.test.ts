import { MalformedHandlerNameError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { parseHandlerSpec } from '../src/handler-spec.js';

describe('parseHandlerSpec', () => {
  it('splits module and export when there is no directory', () => {
    const spec = parseHandlerSpec('index.handler');

    expect(spec).toEqual({ spec: 'index.handler', directory: '', module: 'index', exportPath: ['handler'] });
  });

  it('keeps the directory prefix and nested export names when both are given', () => {
    const spec = parseHandlerSpec('src/api/orders.handlers.create');

    expect(spec).toEqual({
      spec: 'src/api/orders.handlers.create',
      directory: 'src/api/',
      module: 'orders',
      exportPath: ['handlers', 'create'],
    });
  });

  it('reads the module up to the first dot after the last slash when directories contain dots', () => {
    const spec = parseHandlerSpec('v1.2/app.handler');

    expect(spec.directory).toBe('v1.2/');
    expect(spec.module).toBe('app');
    expect(spec.exportPath).toEqual(['handler']);
  });

  it('accepts an absolute directory prefix', () => {
    const spec = parseHandlerSpec('/opt/app/index.handler');

    expect(spec.directory).toBe('/opt/app/');
    expect(spec.module).toBe('index');
  });

  it.each([
    ['', 'no dot'],
    ['index', 'no dot'],
    ['src/index', 'no dot after the last slash'],
    ['src.v1/index', 'the dot is in the directory only'],
    ['src/', 'directory only'],
    ['index.a..b', 'empty export between dots, which is a ..'],
  ])('throws MalformedHandlerNameError when the string is %j (%s)', (value) => {
    expect(() => parseHandlerSpec(value)).toThrow(MalformedHandlerNameError);
  });

  it.each([
    ['.handler', '', '', ['handler']],
    ['src/.handler', 'src/', '', ['handler']],
    ['index.', '', 'index', ['']],
    ['index.nested.', '', 'index', ['nested', '']],
    ['src//index.handler', 'src//', 'index', ['handler']],
  ])(
    'parses %j like the managed runtime when a part is empty (later failures carry the managed types)',
    (value, directory, module, exportPath) => {
      const spec = parseHandlerSpec(value);

      expect(spec).toEqual({ spec: value, directory, module, exportPath });
    },
  );

  it.each(['../index.handler', 'src/../../index.handler', '..hidden/index.handler'])(
    'throws MalformedHandlerNameError when the string %j contains ..',
    (value) => {
      let thrown: unknown;
      try {
        parseHandlerSpec(value);
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(MalformedHandlerNameError);
      expect((thrown as MalformedHandlerNameError).errorType).toBe('Runtime.MalformedHandlerName');
      expect((thrown as Error).message).toContain("'..' is not allowed");
    },
  );
});
