export {
  type BundleFunctionOptions,
  type BundleResult,
  bundleFunction,
  bundleLoadsRuntime,
  type FunctionBuildSettings,
  functionBuildOptions,
} from './bundle-function.js';
export { EntryNotRuntimeError } from './entry-not-runtime-error.js';
