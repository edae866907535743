import { MalformedHandlerNameError } from '@lambda-runtime/api';
import { defaultRuntime, installAwsLambdaGlobal, type LambdaRuntimeOptions } from '@lambda-runtime/core';
import { loadHandler } from '@lambda-runtime/handler-loader';

/** Options of {@link runHandler}: those of `defaultRuntime`, plus how the handler is imported. */
export interface RunHandlerOptions extends LambdaRuntimeOptions {
  /**
   * Imports an ES module handler by its `file:` URL (default: `import()`); see
   * `LoadHandlerOptions.importModule` of `@lambda-runtime/handler-loader`.
   */
  readonly importModule?: (url: string) => Promise<unknown>;
}

/**
 * Runs the default runtime with the handler a `_HANDLER`-style string names, loaded with the
 * managed Node.js runtime's rules (see `@lambda-runtime/handler-loader`) from `LAMBDA_TASK_ROOT`
 * (else the current directory).
 *
 * `spec` wins over `_HANDLER`; an empty or missing value falls back to `_HANDLER`. With neither,
 * or with a handler that cannot be loaded, the error goes to `/runtime/init/error`
 * (`Runtime.MalformedHandlerName`, `Runtime.ImportModuleError`, `Runtime.UserCodeSyntaxError`,
 * `Runtime.HandlerNotFound`) and the process exits 1, before any `/next`.
 *
 * The managed runtime's `awslambda` global (`streamifyResponse`, `HttpResponseStream`) is in place
 * before the handler module loads, unless `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA` is `1` or `true`.
 *
 * @param spec - `[dir/]module.export[.nested]`, e.g. `src/app.handler`; default `_HANDLER`.
 * @param options - process-level behaviour, passed to `defaultRuntime`, and how ES modules are imported.
 * @returns the runtime's `run()` promise, which never resolves.
 *
 * @example
 * ```ts
 * // bootstrap.mjs, next to app.mjs exporting `handler`
 * import { runHandler } from '@lambda-runtime/cli';
 *
 * runHandler('app.handler');
 * ```
 */
export function runHandler(spec?: string, options: RunHandlerOptions = {}): Promise<never> {
  const { importModule, ...runtimeOptions } = options;
  // Before the handler module loads, as the managed runtime does (a no-op when already installed
  // or when AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA opts out).
  installAwsLambdaGlobal();
  return defaultRuntime(async ({ env }) => {
    const handlerSpec = nonEmpty(spec) ?? nonEmpty(env.handler);
    if (handlerSpec === undefined) {
      throw new MalformedHandlerNameError(
        'No handler given: pass it as the first argument (lambda-runtime index.handler) or set _HANDLER',
      );
    }
    const taskRoot = env.taskRoot ?? process.cwd();
    return loadHandler(handlerSpec, importModule === undefined ? { taskRoot } : { taskRoot, importModule });
  }, runtimeOptions).run();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
