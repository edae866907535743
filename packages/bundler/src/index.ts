export { type BundleFunctionOptions, type BundleResult, bundleFunction } from './bundle-function.js';
export { EntryNotRuntimeError } from './entry-not-runtime-error.js';
