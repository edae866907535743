#!/usr/bin/env node
// The `lambda-runtime` command. CommonJS, so that starting it needs no ES module loader; it runs
// the runtime from dist/runtime.bundle.cjs (one file, built with the package) compiled with V8's
// code cache when `--prepare-cache` made one for this Node.js build, and imports the handler
// separately. Without the bundle (a workspace built by `tsc -b` alone) it runs dist/main.js.
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');

/** Where `--prepare-cache` asks its child process to write the cache (an internal contract). */
const CACHE_OUT_VARIABLE = 'LAMBDA_RUNTIME_PREPARE_CACHE_OUT';
const BUNDLE = path.join(__dirname, 'runtime.bundle.cjs');
// The CommonJS wrapper, so that the bundle compiles (and is cached) as one vm.Script.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

type Main = (argument: string | undefined, importModule?: (url: string) => Promise<unknown>) => void;

// A real module's import(): code compiled by vm.Script has none of its own.
const importModule = (url: string): Promise<unknown> => import(url);
const argument = process.argv[2];

if (argument === '--prepare-cache') {
  void import('./prepare-cache.js').then(({ prepareCacheCommand }) =>
    prepareCacheCommand(path.join(__dirname, 'bin.cjs'), BUNDLE),
  );
} else {
  const source = readBundle();
  if (source === undefined) {
    void import('./main.js').then(({ main }) => main(argument));
  } else {
    runBundle(source).main(argument, importModule);
  }
}

function readBundle(): string | undefined {
  try {
    return fs.readFileSync(BUNDLE, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function runBundle(source: string): { main: Main } {
  const cacheOut = process.env[CACHE_OUT_VARIABLE];
  const cacheFile = path.join(__dirname, `runtime.bundle.${process.version}-${process.arch}.cache`);
  // The cache file starts with the bundle's first line (its content hash), then V8's data.
  const key = source.slice(0, source.indexOf('\n') + 1);
  let cachedData: Buffer | undefined;
  let stale = false;
  if (cacheOut === undefined) {
    try {
      const data = fs.readFileSync(cacheFile);
      if (data.toString('latin1', 0, key.length) === key) cachedData = data.subarray(key.length);
      else stale = true;
    } catch {
      // No cache prepared for this Node.js: V8 compiles as usual.
    }
  }
  const script = new vm.Script(WRAPPER_START + source + WRAPPER_END, { filename: BUNDLE, cachedData });
  if (stale || script.cachedDataRejected === true) {
    process.stderr.write(
      `lambda-runtime: the code cache ${cacheFile} does not fit this bundle or Node.js ${process.version}; ` +
        'compiling instead (run lambda-runtime --prepare-cache again with the Node.js the function runs on)\n',
    );
  }
  if (cacheOut !== undefined) {
    // After the invocations --prepare-cache serves: the cache then holds the functions they compiled too.
    process.once('exit', () => fs.writeFileSync(cacheOut, script.createCachedData()));
  }
  const module = { exports: {} as { main: Main } };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    require,
    module,
    BUNDLE,
    __dirname,
  );
  return module.exports;
}
