import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImportModuleError } from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { parseHandlerSpec } from '../src/handler-spec.js';
import { locateModule, scopeFormat } from '../src/locate-module.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

describe('scopeFormat', () => {
  it('returns cjs when the nearest package.json has no type', () => {
    expect(scopeFormat(join(fixtures, 'lib', 'nested'))).toBe('cjs');
  });

  it('returns esm when the nearest package.json says "type": "module"', () => {
    expect(scopeFormat(join(fixtures, 'esm-scope', 'no-manifest'))).toBe('esm');
  });

  it('returns cjs when a nearer package.json says "type": "commonjs"', () => {
    expect(scopeFormat(join(fixtures, 'esm-scope', 'cjs-scope'))).toBe('cjs');
  });

  it('returns cjs when the walk reaches a node_modules folder before any package.json', () => {
    expect(scopeFormat(join(fixtures, 'esm-scope', 'node_modules', 'untyped'))).toBe('cjs');
  });

  it('returns cjs when the walk reaches the filesystem root', () => {
    expect(scopeFormat('/')).toBe('cjs');
  });
});

describe('locateModule', () => {
  it.each([
    ['cjs.handler', 'cjs.js', 'cjs'],
    ['esm-scope/app.handler', 'esm-scope/app.js', 'esm'],
    ['order-js.handler', 'order-js.js', 'cjs'],
    ['order-mjs.handler', 'order-mjs.mjs', 'esm'],
    ['order-cjs.handler', 'order-cjs', 'cjs'],
    ['extensionless.handler', 'extensionless', 'cjs'],
    ['dir-module.handler', 'dir-module/index.js', 'cjs'],
    ['fixture-package.handler', 'node_modules/fixture-package/lib/main.js', 'cjs'],
    ['esm-package.handler', 'node_modules/esm-package/index.js', 'esm'],
  ])('locates %s at %s as %s', (spec, file, format) => {
    const located = locateModule(fixtures, parseHandlerSpec(spec));

    expect(located).toEqual({ file: join(fixtures, file), format });
  });

  it('locates a Node built-in module as builtin when only its name matches', () => {
    const located = locateModule(fixtures, parseHandlerSpec('events.handler'));

    expect(located).toEqual({ file: 'events', format: 'builtin' });
  });

  it('throws ImportModuleError when nothing matches', () => {
    expect(() => locateModule(fixtures, parseHandlerSpec('nowhere.handler'))).toThrow(ImportModuleError);
  });
});
