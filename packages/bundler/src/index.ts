export {
  type BundleFunctionOptions,
  type BundleResult,
  bundleFunction,
  bundleLoadsRuntime,
  type FunctionBuildSettings,
  functionBuildOptions,
  WARM_UP_HANDLER,
  WARM_UP_INVOCATIONS,
} from './bundle-function.js';
export { EntryNotRuntimeError } from './entry-not-runtime-error.js';
