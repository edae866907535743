import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  HandlerNotFoundError,
  ImportModuleError,
  MalformedHandlerNameError,
  toErrorDocument,
  UserCodeSyntaxError,
} from '@lambda-runtime/api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHandler } from '../src/load-handler.js';
import { cjs, createTaskRoot, esm, removeTaskRoots } from './task-root.js';

// Each rule here is one the managed Node.js runtime follows (aws-lambda-nodejs-runtime-interface-client,
// src/UserFunction.js), checked with real files in a fresh task root per test.

async function invoke(spec: string, taskRoot: string): Promise<unknown> {
  const handler = await loadHandler(spec, { taskRoot });
  return handler({}, {} as never, () => undefined);
}

async function failure(spec: string, taskRoot: string): Promise<unknown> {
  try {
    await loadHandler(spec, { taskRoot });
  } catch (error) {
    return error;
  }
  throw new Error(`loadHandler('${spec}') did not fail`);
}

/** What Node's own `require` throws for `file`. */
function requireError(file: string): unknown {
  try {
    createRequire(file)(file);
  } catch (error) {
    return error;
  }
  throw new Error(`require('${file}') did not fail`);
}

afterAll(() => {
  removeTaskRoots();
});

describe('loadHandler (managed runtime parity)', () => {
  describe('file candidates and their order', () => {
    it('loads the extensionless file when both app and app.js exist', async () => {
      const root = createTaskRoot({ app: cjs('app'), 'app.js': cjs('app.js') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app' });
    });

    it('loads the extensionless file with require when app.js is ESM in a "type": "module" scope', async () => {
      const root = createTaskRoot({
        'package.json': '{"type":"module"}',
        app: cjs('app'),
        'app.js': esm('app.js'),
      });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app' });
    });

    it.each([
      [{ 'app.js': cjs('app.js'), 'app.mjs': esm('app.mjs'), 'app.cjs': cjs('app.cjs') }, 'app.js'],
      [{ 'app.mjs': esm('app.mjs'), 'app.cjs': cjs('app.cjs') }, 'app.mjs'],
      [{ 'app.cjs': cjs('app.cjs'), 'node_modules/app/index.js': cjs('package') }, 'app.cjs'],
      [{ 'app.cjs': cjs('app.cjs'), app: cjs('app') }, 'app'],
    ])('loads %j as %s (order: app, app.js, app.mjs, app.cjs, package)', async (files, expected) => {
      const root = createTaskRoot(files);

      expect(await invoke('app.handler', root)).toEqual({ from: expected });
    });

    it('loads a directory entry (index.js) with require when the module names a directory, before app.mjs', async () => {
      const root = createTaskRoot({ 'app/index.js': cjs('app/index.js'), 'app.mjs': esm('app.mjs') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app/index.js' });
    });

    it("loads a directory's package.json main when the module names a directory with one", async () => {
      const root = createTaskRoot({
        'app/package.json': '{"main":"lib/start.js"}',
        'app/lib/start.js': cjs('app/lib/start.js'),
      });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app/lib/start.js' });
    });

    it('loads app.js when a directory named app also exists, as require(app) does', async () => {
      const root = createTaskRoot({ 'app/data.txt': 'not code', 'app.js': cjs('app.js') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app.js' });
    });

    it('goes on to app.mjs when a directory named app has no entry point (the managed runtime stops there)', async () => {
      const root = createTaskRoot({ 'app/data.txt': 'not code', 'app.mjs': esm('app.mjs') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app.mjs' });
    });

    it('loads the directory itself when the module name is empty (src/.handler)', async () => {
      const root = createTaskRoot({ 'src/index.js': cjs('src/index.js') });

      expect(await invoke('src/.handler', root)).toEqual({ from: 'src/index.js' });
    });
  });

  describe('ESM or CommonJS', () => {
    it('imports app.js as ESM when the nearest package.json says "type": "module"', async () => {
      const root = createTaskRoot({ 'package.json': '{"type":"module"}', 'app.js': esm('app.js') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'app.js' });
    });

    it('requires app.js as CommonJS when a nearer package.json says "type": "commonjs"', async () => {
      const root = createTaskRoot({
        'package.json': '{"type":"module"}',
        'src/package.json': '{"type":"commonjs"}',
        'src/app.js': cjs('src/app.js'),
      });

      expect(await invoke('src/app.handler', root)).toEqual({ from: 'src/app.js' });
    });

    it('stops the type lookup at a node_modules folder and loads app.js as CommonJS', async () => {
      const root = createTaskRoot({
        'package.json': '{"type":"module"}',
        'node_modules/app.js': cjs('node_modules/app.js'),
      });

      expect(await invoke('node_modules/app.handler', root)).toEqual({ from: 'node_modules/app.js' });
    });

    it("requires app.js when the nearest package.json cannot be parsed, and reports Node's error about it as the managed runtime does", async () => {
      const root = createTaskRoot({ 'package.json': '{ not json', 'app.js': cjs('app.js') });
      // Node 20 throws a SyntaxError (Runtime.UserCodeSyntaxError); Node 22+ an Error with code
      // ERR_INVALID_PACKAGE_CONFIG, which the managed runtime passes on with its own type.
      const nodeError = requireError(join(root, 'app.js'));

      const error = await failure('app.handler', root);

      if (nodeError instanceof SyntaxError) expect(error).toBeInstanceOf(UserCodeSyntaxError);
      else expect(error).toMatchObject({ name: 'Error', code: 'ERR_INVALID_PACKAGE_CONFIG' });
      expect(toErrorDocument(error).errorMessage).toContain('package.json');
    });

    it('imports app.mjs as ESM and requires app.cjs as CommonJS whatever the package type says', async () => {
      const root = createTaskRoot({
        'package.json': '{"type":"commonjs"}',
        'a.mjs': esm('a.mjs'),
        'esm/package.json': '{"type":"module"}',
        'esm/b.cjs': cjs('esm/b.cjs'),
      });

      expect(await invoke('a.handler', root)).toEqual({ from: 'a.mjs' });
      expect(await invoke('esm/b.handler', root)).toEqual({ from: 'esm/b.cjs' });
    });
  });

  describe('handler paths', () => {
    it('resolves nested directories and walks nested export names', async () => {
      const root = createTaskRoot({
        'src/api/orders.js':
          'exports.handlers = { create: async () => ({ from: "src/api/orders.js create" }) };\n',
      });

      expect(await invoke('src/api/orders.handlers.create', root)).toEqual({
        from: 'src/api/orders.js create',
      });
    });

    it('resolves an absolute directory prefix regardless of the task root', async () => {
      const root = createTaskRoot({ 'opt/app.js': cjs('opt/app.js') });

      expect(await invoke(`${join(root, 'opt')}/app.handler`, '/')).toEqual({ from: 'opt/app.js' });
    });
  });

  describe('packages', () => {
    it("loads a package from the task root's node_modules by its name", async () => {
      const root = createTaskRoot({ 'node_modules/app/index.js': cjs('node_modules/app') });

      expect(await invoke('app.handler', root)).toEqual({ from: 'node_modules/app' });
    });

    it("prefers the task root's node_modules over the handler directory's when both hold the package", async () => {
      const root = createTaskRoot({
        'node_modules/app/index.js': cjs('node_modules/app'),
        'src/node_modules/app/index.js': cjs('src/node_modules/app'),
      });

      expect(await invoke('src/app.handler', root)).toEqual({ from: 'node_modules/app' });
    });

    it("finds the package in the handler directory's node_modules when the task root has none", async () => {
      const root = createTaskRoot({ 'src/node_modules/app/index.js': cjs('src/node_modules/app') });

      expect(await invoke('src/app.handler', root)).toEqual({ from: 'src/node_modules/app' });
    });

    it('imports a "type": "module" package as ESM', async () => {
      const root = createTaskRoot({
        'node_modules/app/package.json': '{"type":"module","main":"index.js"}',
        'node_modules/app/index.js': esm('node_modules/app'),
      });

      expect(await invoke('app.handler', root)).toEqual({ from: 'node_modules/app' });
    });

    it('loads a scoped package when the directory prefix is its scope (beyond the managed runtime)', async () => {
      const root = createTaskRoot({ 'node_modules/@acme/app/index.js': cjs('@acme/app') });

      expect(await invoke('@acme/app.handler', root)).toEqual({ from: '@acme/app' });
    });

    it('loads an export of a Node built-in module when only its name matches, as the managed runtime does', async () => {
      const root = createTaskRoot({});

      const handler = await loadHandler('path.normalize', { taskRoot: root });

      expect(handler('/a//b', {} as never, () => undefined)).toBe('/a/b');
    });

    it('item 2: rejects with Runtime.HandlerNotFound when only a Node built-in module matches and lacks the export', async () => {
      const root = createTaskRoot({});

      const error = await failure('events.handler', root);

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(toErrorDocument(error).errorMessage).toContain("Node.js built-in module 'events'");
    });

    it("item 2: passes on Node's own error when the package's exports map hides its entry point", async () => {
      const root = createTaskRoot({
        'node_modules/app/package.json': '{"exports":{"./inner":"./inner.js"}}',
        'node_modules/app/inner.js': cjs('inner'),
      });

      const error = await failure('app.handler', root);

      expect(error).not.toBeInstanceOf(ImportModuleError);
      expect((error as { code?: unknown }).code).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    });
  });

  describe('errors while loading', () => {
    it('item 2: reports the error a CommonJS module throws at load with its own type and message', async () => {
      const root = createTaskRoot({ 'app.js': "throw new RangeError('config missing at load');\n" });

      const document = toErrorDocument(await failure('app.handler', root));

      expect(document.errorType).toBe('RangeError');
      expect(document.errorMessage).toBe('config missing at load');
      expect(document.stackTrace.join('\n')).toContain('app.js:1');
    });

    it('item 2: reports the rejection of a top-level await with its own type and message', async () => {
      const root = createTaskRoot({
        'app.mjs':
          "class ConfigError extends Error { name = 'ConfigError'; }\n" +
          "await Promise.reject(new ConfigError('secret not found'));\n" +
          'export const handler = async () => ({});\n',
      });

      const document = toErrorDocument(await failure('app.handler', root));

      expect(document.errorType).toBe('ConfigError');
      expect(document.errorMessage).toBe('secret not found');
    });

    it('item 2: passes a thrown non-Error value on unchanged', async () => {
      const root = createTaskRoot({ 'app.mjs': "throw 'plain string';\n" });

      const error = await failure('app.handler', root);

      expect(error).toBe('plain string');
    });

    it('item 2: reports Runtime.ImportModuleError when a CommonJS module requires a dependency that is not installed', async () => {
      const root = createTaskRoot({ 'app.js': "require('not-installed-anywhere');\n" });

      const error = await failure('app.handler', root);

      expect(error).toBeInstanceOf(ImportModuleError);
      expect(toErrorDocument(error).errorMessage).toContain("Cannot find module 'not-installed-anywhere'");
    });

    it("item 2: passes on Node's ERR_MODULE_NOT_FOUND (type Error) when an ES module imports a package that is not installed", async () => {
      const root = createTaskRoot({
        'app.mjs': "import 'not-installed-anywhere';\nexport const handler = () => 1;\n",
      });

      const error = await failure('app.handler', root);

      expect((error as { code?: unknown }).code).toBe('ERR_MODULE_NOT_FOUND');
      expect(toErrorDocument(error).errorType).toBe('Error');
    });

    it('item 2: reports Runtime.UserCodeSyntaxError when top-level code throws a SyntaxError at run time (JSON.parse)', async () => {
      const root = createTaskRoot({ 'app.js': "JSON.parse('{ not json');\nexports.handler = () => 1;\n" });

      const error = await failure('app.handler', root);

      expect(error).toBeInstanceOf(UserCodeSyntaxError);
    });

    it('item 2: reports Runtime.UserCodeSyntaxError when an ES module imports a name its dependency does not export', async () => {
      const root = createTaskRoot({
        'dep.mjs': 'export const present = 1;\n',
        'app.mjs': "import { absent } from './dep.mjs';\nexport const handler = () => absent;\n",
      });

      const error = await failure('app.handler', root);

      expect(error).toBeInstanceOf(UserCodeSyntaxError);
      expect(toErrorDocument(error).errorMessage).toContain('absent');
    });

    it('item 2: reports Runtime.UserCodeSyntaxError when a .cjs file uses ESM syntax', async () => {
      const root = createTaskRoot({ 'app.cjs': 'export const handler = () => 1;\n' });

      const error = await failure('app.handler', root);

      expect(error).toBeInstanceOf(UserCodeSyntaxError);
    });

    it('item 2: reports the ReferenceError itself when CommonJS code sits in a "type": "module" app.js', async () => {
      const root = createTaskRoot({ 'package.json': '{"type":"module"}', 'app.js': cjs('app.js') });

      const document = toErrorDocument(await failure('app.handler', root));

      expect(document.errorType).toBe('ReferenceError');
      expect(document.errorMessage).toContain('exports is not defined in ES module scope');
    });
  });

  describe('errors naming the handler', () => {
    it('item 2: reports Runtime.ImportModuleError when no file or package matches', async () => {
      const root = createTaskRoot({ 'other.js': cjs('other.js') });

      const error = await failure('src/app.handler', root);

      expect(error).toBeInstanceOf(ImportModuleError);
      expect(toErrorDocument(error).errorMessage).toContain("Cannot find module 'src/app'");
    });

    it.each([
      ['app.missing', 'app.missing is undefined or not exported'],
      ['app.', 'app. is undefined or not exported'],
      ['app.zero', 'app.zero is undefined or not exported'],
      ['app.config.nested', 'app.config.nested is undefined or not exported'],
      ['app.config', 'app.config is not a function'],
    ])('item 2: reports Runtime.HandlerNotFound for %j (%s)', async (spec, message) => {
      const root = createTaskRoot({
        'app.js':
          "exports.handler = () => 1;\nexports.zero = 0;\nexports.config = { region: 'eu-west-1' };\n",
      });

      const error = await failure(spec, root);

      expect(error).toBeInstanceOf(HandlerNotFoundError);
      expect(toErrorDocument(error).errorMessage).toContain(message);
    });

    it.each(['app', 'src/app', '../app.handler', 'src/..app.handler'])(
      'item 2: reports Runtime.MalformedHandlerName for %j',
      async (spec) => {
        const root = createTaskRoot({ 'app.js': cjs('app.js') });

        const error = await failure(spec, root);

        expect(error).toBeInstanceOf(MalformedHandlerNameError);
      },
    );
  });
});
