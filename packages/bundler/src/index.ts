export { type BundleFunctionOptions, type BundleResult, bundleFunction } from './bundle-function.js';
