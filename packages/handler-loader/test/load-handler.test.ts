import { fileURLToPath } from 'node:url';
import {
  HandlerNotFoundError,
  ImportModuleError,
  MalformedHandlerNameError,
  toErrorDocument,
  UserCodeSyntaxError,
} from '@lambda-runtime/api';
import { describe, expect, it } from 'vitest';
import { loadHandler } from '../src/load-handler.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const esmScope = fileURLToPath(new URL('./fixtures/esm-scope', import.meta.url));

/** Loads `spec` from the fixtures and calls the handler with `event`. */
async function invoke(spec: string, taskRoot = fixtures, event: unknown = {}): Promise<unknown> {
  const handler = await loadHandler(spec, { taskRoot });
  return handler(event, {} as never, () => undefined);
}

async function failure(spec: string, taskRoot = fixtures): Promise<Error> {
  try {
    await loadHandler(spec, { taskRoot });
  } catch (error) {
    return error as Error;
  }
  throw new Error(`loadHandler('${spec}') did not fail`);
}

describe('loadHandler', () => {
  describe('module formats', () => {
    it('loads a CommonJS .js module when no package.json says "type": "module"', async () => {
      const result = await invoke('cjs.handler', fixtures, { n: 1 });

      expect(result).toEqual({ from: 'cjs.js', event: { n: 1 } });
    });

    it('loads a .js module as ESM when the nearest package.json says "type": "module"', async () => {
      const result = await invoke('esm-scope/app.handler');

      expect(result).toMatchObject({ from: 'esm-scope/app.js', format: 'esm' });
    });

    it('walks up past folders without package.json to find the module type', async () => {
      const result = await invoke('esm-scope/no-manifest/app.handler');

      expect(result).toEqual({ from: 'esm-scope/no-manifest/app.js', format: 'esm' });
    });

    it('loads a .js module as CommonJS when a nested package.json flips the type back', async () => {
      const result = await invoke('esm-scope/cjs-scope/app.handler');

      expect(result).toEqual({ from: 'esm-scope/cjs-scope/app.js', format: 'cjs' });
    });

    it('loads a .mjs module as ESM when there is no .js file', async () => {
      const result = await invoke('module.handler');

      expect(result).toEqual({ from: 'module.mjs' });
    });

    it('loads a .cjs module when there is no .js or .mjs file', async () => {
      const result = await invoke('common.handler');

      expect(result).toEqual({ from: 'common.cjs' });
    });

    it('loads an extensionless file through require resolution when no .js, .mjs or .cjs exists', async () => {
      const result = await invoke('extensionless.handler');

      expect(result).toEqual({ from: 'extensionless' });
    });

    it('loads a directory index through require resolution when the module names a directory', async () => {
      const result = await invoke('dir-module.handler');

      expect(result).toEqual({ from: 'dir-module/index.js' });
    });

    it('imports ES modules with the importModule it is given, and CommonJS ones with require, when one is passed', async () => {
      const imported: string[] = [];
      const importModule = (url: string): Promise<unknown> => {
        imported.push(url);
        return import(url);
      };

      const esm = await loadHandler('module.handler', { taskRoot: fixtures, importModule });
      const cjs = await loadHandler('common.handler', { taskRoot: fixtures, importModule });

      expect(await esm({}, {} as never, () => undefined)).toEqual({ from: 'module.mjs' });
      expect(await cjs({}, {} as never, () => undefined)).toEqual({ from: 'common.cjs' });
      expect(imported).toEqual([new URL('./fixtures/module.mjs', import.meta.url).href]);
    });
  });

  describe('resolution order', () => {
    it('prefers .js over .mjs when both exist', async () => {
      const result = await invoke('order-js.handler');

      expect(result).toEqual({ from: 'order-js.js' });
    });

    it('prefers .mjs over .cjs when both exist', async () => {
      const result = await invoke('order-mjs.handler');

      expect(result).toEqual({ from: 'order-mjs.mjs' });
    });

    it('prefers an extensionless file over .cjs when both exist', async () => {
      const result = await invoke('order-cjs.handler');

      expect(result).toEqual({ from: 'order-cjs (extensionless)' });
    });
  });

  describe('packages', () => {
    it('loads a package from node_modules by its name (package.json main)', async () => {
      const result = await invoke('fixture-package.handler');

      expect(result).toEqual({ from: 'node_modules/fixture-package' });
    });

    it('loads a "type": "module" package from node_modules as ESM', async () => {
      const result = await invoke('esm-package.handler');

      expect(result).toEqual({ from: 'node_modules/esm-package', format: 'esm' });
    });

    it('loads a scoped package when the directory prefix is the scope', async () => {
      const result = await invoke('@fixtures/scoped.handler');

      expect(result).toEqual({ from: 'node_modules/@fixtures/scoped' });
    });

    it('treats a file in node_modules as CommonJS when the type lookup reaches the node_modules boundary', async () => {
      const result = await invoke('untyped.handler', esmScope);

      expect(result).toEqual({ from: 'esm-scope/node_modules/untyped', format: 'cjs' });
    });
  });

  describe('handler paths', () => {
    it('resolves a dir/ prefix relative to the task root', async () => {
      const result = await invoke('lib/nested/handlers.handler');

      expect(result).toEqual({ from: 'lib/nested/handlers.js' });
    });

    it('resolves an absolute directory prefix', async () => {
      const result = await invoke(`${fixtures}/lib/nested/handlers.handler`, '/');

      expect(result).toEqual({ from: 'lib/nested/handlers.js' });
    });

    it('walks nested export names', async () => {
      const result = await invoke('cjs.nested.deep.handler');

      expect(result).toEqual({ from: 'cjs.js nested.deep.handler' });
    });

    it('uses LAMBDA_TASK_ROOT when no taskRoot option is given', async () => {
      const previous = process.env.LAMBDA_TASK_ROOT;
      process.env.LAMBDA_TASK_ROOT = fixtures;
      try {
        const handler = await loadHandler('lib/nested/handlers.handler');

        expect(await handler({}, {} as never, () => undefined)).toEqual({ from: 'lib/nested/handlers.js' });
      } finally {
        restoreTaskRoot(previous);
      }
    });
  });

  describe('default export fallback', () => {
    it('finds the handler on the ESM default export when there is no named export', async () => {
      const result = await invoke('esm-default.handler');

      expect(result).toEqual({ from: 'esm-default.mjs default.handler' });
    });

    it('finds the handler on module.exports.default when a CommonJS module has no such export', async () => {
      const result = await invoke('cjs-default.handler');

      expect(result).toEqual({ from: 'cjs-default.cjs default.handler' });
    });

    it('returns a default-exported function when the export name is default', async () => {
      const result = await invoke('esm-default-function.default');

      expect(result).toEqual({ from: 'esm-default-function.mjs default' });
    });

    it('prefers the named export over default.<name> when both exist', async () => {
      const result = await invoke('shadowed-default.handler');

      expect(result).toEqual({ from: 'shadowed-default.mjs named' });
    });
  });

  describe('failures', () => {
    it.each(['index', 'src/index', ''])(
      'rejects with Runtime.MalformedHandlerName when the handler is %j',
      async (spec) => {
        const error = await failure(spec);

        expect(error).toBeInstanceOf(MalformedHandlerNameError);
        expect(toErrorDocument(error).errorType).toBe('Runtime.MalformedHandlerName');
      },
    );

    it('rejects with Runtime.MalformedHandlerName when the handler climbs out with ..', async () => {
      const error = await failure('../fixtures/cjs.handler', esmScope);

      expect(error).toBeInstanceOf(MalformedHandlerNameError);
      expect(error.message).toContain('..');
    });

    it('rejects with Runtime.ImportModuleError naming the module when no file matches', async () => {
      const error = await failure('lib/missing.handler');

      expect(error).toBeInstanceOf(ImportModuleError);
      expect(toErrorDocument(error).errorType).toBe('Runtime.ImportModuleError');
      expect(error.message).toContain("Cannot find module 'lib/missing'");
    });

    it('rejects with Runtime.HandlerNotFound naming the built-in when the name only matches a Node built-in module', async () => {
      const error = await failure('events.handler');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(error.message).toContain("Node.js built-in module 'events'");
    });

    it('rejects with the thrown error itself when a CommonJS module throws', async () => {
      const error = await failure('throws.handler');

      expect(error).not.toBeInstanceOf(ImportModuleError);
      expect(toErrorDocument(error)).toMatchObject({
        errorType: 'Error',
        errorMessage: 'boom while importing throws.js',
      });
    });

    it('reports the throwing line of user code in the stack trace when a module throws', async () => {
      const error = await failure('throws.handler');

      const stackTrace = toErrorDocument(error).stackTrace;

      expect(stackTrace[0]).toBe('Error: boom while importing throws.js');
      expect(stackTrace.join('\n')).toContain('throws.js:');
    });

    it('rejects with the thrown error and its own type when an ES module throws', async () => {
      const error = await failure('throws-esm.handler');

      expect(toErrorDocument(error)).toMatchObject({
        errorType: 'RangeError',
        errorMessage: 'boom while importing throws-esm.mjs',
      });
    });

    it('rejects with Runtime.ImportModuleError when the module requires a missing dependency', async () => {
      const error = await failure('imports-missing.handler');

      expect(error).toBeInstanceOf(ImportModuleError);
      expect(error.message).toContain('a-dependency-that-was-never-installed');
    });

    it('rejects with Runtime.UserCodeSyntaxError when a CommonJS module does not parse', async () => {
      const error = await failure('syntax-error/broken.handler');

      expect(error).toBeInstanceOf(UserCodeSyntaxError);
      expect(toErrorDocument(error).errorType).toBe('Runtime.UserCodeSyntaxError');
      expect(error.message).toContain('broken.js');
      expect((error.cause as Error).name).toBe('SyntaxError');
    });

    it('reports the user code location in the stack trace when a module does not parse', async () => {
      const error = await failure('syntax-error/broken.handler');

      const stackTrace = toErrorDocument(error).stackTrace;

      expect(stackTrace[0]).toContain('UserCodeSyntaxError: SyntaxError');
      expect(stackTrace[1]).toMatch(/syntax-error\/broken\.js:\d+$/);
    });

    it('rejects with Runtime.UserCodeSyntaxError when an ES module does not parse', async () => {
      const error = await failure('syntax-error/esm/broken.handler');

      expect(error).toBeInstanceOf(UserCodeSyntaxError);
      expect(error.message).toContain('broken.mjs');
    });

    it('rejects with Runtime.HandlerNotFound naming handler and module when the export is missing', async () => {
      const error = await failure('cjs.missing');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(toErrorDocument(error).errorType).toBe('Runtime.HandlerNotFound');
      expect(error.message).toContain('cjs.missing is undefined or not exported');
      expect(error.message).toContain("module 'cjs'");
    });

    it('rejects with Runtime.HandlerNotFound when a nested export is missing halfway', async () => {
      const error = await failure('cjs.nested.missing.handler');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
    });

    it('rejects with Runtime.HandlerNotFound when the export is null', async () => {
      const error = await failure('cjs.nothing');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
    });

    it('rejects with Runtime.HandlerNotFound when the export is not a function', async () => {
      const error = await failure('cjs.notAFunction');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(error.message).toContain('cjs.notAFunction is not a function');
      expect(error.message).toContain('number');
    });

    it('rejects with Runtime.HandlerNotFound when an ES module lacks the export and has no default', async () => {
      const error = await failure('module.missing');

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(error.message).toContain("module 'module'");
    });
  });
});

function restoreTaskRoot(previous: string | undefined): void {
  if (previous === undefined) {
    delete process.env.LAMBDA_TASK_ROOT;
  } else {
    process.env.LAMBDA_TASK_ROOT = previous;
  }
}
